using Microsoft.Extensions.Options;

namespace Crm.Pipeline.Clv;

/// <summary>Checks <c>Crm:Clv</c> at start: every failure names the setting and the value it got.</summary>
public sealed class ClvOptionsValidator : IValidateOptions<ClvOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, ClvOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.HorizonDays is < 1 or > 3650)
        {
            failures.Add($"Crm:Clv:HorizonDays must be 1..3650 days; got {options.HorizonDays}.");
        }

        if (!(options.AnnualDiscountRate is >= 0 and < 1))
        {
            failures.Add($"Crm:Clv:AnnualDiscountRate must be at least 0 and below 1 (0.10 = 10 %); got {options.AnnualDiscountRate}.");
        }

        if (options.MaxFitCustomers < 100)
        {
            failures.Add($"Crm:Clv:MaxFitCustomers must be at least 100 (the models need customers to fit); got {options.MaxFitCustomers}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
