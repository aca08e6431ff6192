using Hangfire.Dashboard;

namespace Crm.Dashboard.Hangfire;

/// <summary>Lets signed-in users see the Hangfire dashboard; the login redirect happens before it.</summary>
public sealed class SignedInAuthorizationFilter : IDashboardAuthorizationFilter
{
    /// <inheritdoc />
    public bool Authorize(DashboardContext context) =>
        context.GetHttpContext().User.Identity?.IsAuthenticated == true;
}
