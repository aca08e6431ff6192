using Crm.Pipeline.Churn;
using Crm.Pipeline.Jobs;

namespace Crm.Pipeline.Features;

/// <summary>The <c>features</c> stage: rebuilds <c>ml.customer_features</c> for every cutoff the churn run needs.</summary>
public sealed class FeaturesStage : IPipelineStage
{
    private readonly ChurnTrainer _trainer;

    /// <summary>Creates the stage.</summary>
    public FeaturesStage(ChurnTrainer trainer) => _trainer = trainer;

    /// <inheritdoc />
    public string Name => "features";

    /// <inheritdoc />
    public async Task<StageResult> RunAsync(StageContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var calendar = await _trainer.PrepareAsync(true, context.Progress, cancellationToken).ConfigureAwait(false);
        return new StageResult(0, 0, $"features as of {calendar.AsOf:yyyy-MM-dd} and {calendar.BacktestCutoffs.Count + calendar.TrainingCutoffs.Count} training cutoffs");
    }
}
