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
