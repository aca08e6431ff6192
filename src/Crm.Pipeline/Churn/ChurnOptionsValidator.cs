using Microsoft.Extensions.Options;

namespace Crm.Pipeline.Churn;

/// <summary>Checks <c>Crm:Churn</c> at start: every failure names the setting and the value it got.</summary>
public sealed class ChurnOptionsValidator : IValidateOptions<ChurnOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, ChurnOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        void AtLeast(string setting, double value, double minimum)
        {
            if (!(value >= minimum))
            {
                failures.Add($"Crm:Churn:{setting} must be at least {minimum}; got {value}.");
            }
        }

        AtLeast(nameof(options.HorizonDays), options.HorizonDays, 1);
        AtLeast(nameof(options.BacktestCutoffs), options.BacktestCutoffs, 1);
        AtLeast(nameof(options.TrainingCutoffs), options.TrainingCutoffs, 1);
        AtLeast(nameof(options.MaxTrainingRows), options.MaxTrainingRows, 0);
        if (options.HighRiskShare is < 0 or > 1 || double.IsNaN(options.HighRiskShare))
        {
            failures.Add($"Crm:Churn:HighRiskShare must be between 0 and 1; got {options.HighRiskShare}.");
        }

        if (options.MediumRiskShare is < 0 or > 1 || double.IsNaN(options.MediumRiskShare))
        {
            failures.Add($"Crm:Churn:MediumRiskShare must be between 0 and 1; got {options.MediumRiskShare}.");
        }

        if (options.HighRiskShare + options.MediumRiskShare > 1)
        {
            failures.Add($"Crm:Churn:HighRiskShare + MediumRiskShare must be at most 1; got {options.HighRiskShare} + {options.MediumRiskShare}.");
        }

        var unknown = options.TrainerList().Except(ChurnModel.Trainers).ToList();
        if (options.TrainerList().Count == 0 || unknown.Count > 0)
        {
            failures.Add($"Crm:Churn:Trainers must list one or more of {string.Join(", ", ChurnModel.Trainers)}, comma-separated; got '{options.Trainers}'.");
        }

        if (options.MediumRiskThreshold > options.HighRiskThreshold)
        {
            failures.Add($"Crm:Churn:MediumRiskThreshold ({options.MediumRiskThreshold}) must not exceed HighRiskThreshold ({options.HighRiskThreshold}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
