namespace Crm.Dashboard.Auth;

/// <summary>The dashboard's settings.</summary>
public sealed class CrmDashboardOptions
{
    /// <summary>The users allowed in.</summary>
    public List<DashboardUserOptions> Users { get; set; } = [];
}
