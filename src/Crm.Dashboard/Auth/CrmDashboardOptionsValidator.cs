using Microsoft.Extensions.Options;

namespace Crm.Dashboard.Auth;

/// <summary>Checks <c>Crm:Dashboard:Users</c> at start (<see cref="DashboardUserRules"/>): a user who could never sign in is named.</summary>
public sealed class CrmDashboardOptionsValidator : IValidateOptions<CrmDashboardOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, CrmDashboardOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = DashboardUserRules.Validate(options.Users.Select(u => ((string?)u.Name, (string?)u.PasswordHash, (string?)u.Role)).ToList());
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
