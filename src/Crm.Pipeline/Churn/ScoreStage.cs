using Crm.Pipeline.Jobs;

namespace Crm.Pipeline.Churn;

/// <summary>The <c>score</c> stage: scores every active customer with the champion.</summary>
public sealed class ScoreStage : IPipelineStage
{
    private readonly ChurnScorer _scorer;

    /// <summary>Creates the stage.</summary>
    public ScoreStage(ChurnScorer scorer) => _scorer = scorer;

    /// <inheritdoc />
    public string Name => "score";

    /// <inheritdoc />
    public async Task<StageResult> RunAsync(StageContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var outcome = await _scorer.ScoreAsync(context.Progress, cancellationToken).ConfigureAwait(false);
        if (outcome.ModelVersion.Length == 0)
        {
            return new StageResult(0, 0, "no champion model yet: nothing scored (see ops.alert)");
        }

        return new StageResult(outcome.Scored, outcome.Scored,
            $"{outcome.Scored} customers scored with {outcome.ModelVersion}, {outcome.HighRisk} high risk{(outcome.FellBack ? " (fell back: see ops.alert)" : "")}");
    }
}
