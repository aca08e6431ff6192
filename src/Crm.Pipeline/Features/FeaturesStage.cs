using Crm.Pipeline.Jobs;

namespace Crm.Pipeline.Features;

/// <summary>
/// The <c>features</c> stage: builds <c>ml.customer_features</c> for every cutoff of the layout
/// (<see cref="FeaturesOptions"/>) that is missing or whose inputs changed since it was computed.
/// Train, score and segments read the table and never build it.
/// </summary>
public sealed class FeaturesStage : IPipelineStage
{
    private readonly FeaturePreparer _preparer;

    /// <summary>Creates the stage.</summary>
    public FeaturesStage(FeaturePreparer preparer) => _preparer = preparer;

    /// <inheritdoc />
    public string Name => "features";

    /// <inheritdoc />
    public async Task<StageResult> RunAsync(StageContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var run = await _preparer.PrepareAsync(true, context.Progress, cancellationToken).ConfigureAwait(false);
        return new StageResult(run.Rows, run.Rows,
            $"features as of {run.AsOf:yyyy-MM-dd}: {run.Built} of {run.Cutoffs.Count} cutoffs built, {run.Rows} rows");
    }
}
