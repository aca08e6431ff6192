namespace Crm.Dashboard.Auth;

/// <summary>Role names.</summary>
public static class Roles
{
    /// <summary>May trigger, retry and delete jobs.</summary>
    public const string Admin = "admin";

    /// <summary>Sees everything, changes nothing.</summary>
    public const string Viewer = "viewer";
}
