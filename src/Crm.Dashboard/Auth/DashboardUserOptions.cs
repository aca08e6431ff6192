namespace Crm.Dashboard.Auth;

/// <summary>A dashboard user from configuration (<c>Crm:Dashboard:Users</c>). Only the password's hash is stored.</summary>
public sealed class DashboardUserOptions
{
    /// <summary>Login name.</summary>
    public string Name { get; set; } = "";

    /// <summary>Hash made by <c>./crm hash-password</c>.</summary>
    public string PasswordHash { get; set; } = "";

    /// <summary><c>admin</c> (may trigger, retry and delete jobs) or <c>viewer</c> (sees only).</summary>
    public string Role { get; set; } = Roles.Viewer;
}

/// <summary>The dashboard's settings.</summary>
public sealed class CrmDashboardOptions
{
    /// <summary>The users allowed in.</summary>
    public List<DashboardUserOptions> Users { get; set; } = [];
}

/// <summary>Role names.</summary>
public static class Roles
{
    /// <summary>May trigger, retry and delete jobs.</summary>
    public const string Admin = "admin";

    /// <summary>Sees everything, changes nothing.</summary>
    public const string Viewer = "viewer";
}
