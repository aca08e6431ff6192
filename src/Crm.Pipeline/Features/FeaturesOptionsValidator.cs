using Microsoft.Extensions.Options;

namespace Crm.Pipeline.Features;

/// <summary>Checks <c>Crm:Features</c> at start: every failure names the setting and the value it got.</summary>
public sealed class FeaturesOptionsValidator : IValidateOptions<FeaturesOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, FeaturesOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        void AtLeast(string setting, int value, int minimum)
        {
            if (value < minimum)
            {
                failures.Add($"Crm:Features:{setting} (or Crm:Churn:{setting}) must be at least {minimum}; got {value}.");
            }
        }

        AtLeast(nameof(options.HorizonDays), options.HorizonDays, 1);
        AtLeast(nameof(options.CutoffStepDays), options.CutoffStepDays, 1);
        AtLeast(nameof(options.BacktestCutoffs), options.BacktestCutoffs, 0);
        AtLeast(nameof(options.TrainingCutoffs), options.TrainingCutoffs, 0);
        AtLeast(nameof(options.FeatureSampleCustomers), options.FeatureSampleCustomers, 0);
        AtLeast(nameof(options.MaxFitCustomers), options.MaxFitCustomers, 0);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
