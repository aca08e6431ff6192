using Crm.Pipeline.Jobs;
using Npgsql;

namespace Crm.Pipeline.Churn;

/// <summary>The <c>train</c> stage: nightly retrain, backtest, champion/challenger decision.</summary>
public sealed class TrainStage : IPipelineStage
{
    private readonly ChurnTrainer _trainer;
    private readonly NpgsqlDataSource _dataSource;

    /// <summary>Creates the stage.</summary>
    public TrainStage(ChurnTrainer trainer, NpgsqlDataSource dataSource)
    {
        _trainer = trainer;
        _dataSource = dataSource;
    }

    /// <inheritdoc />
    public string Name => "train";

    /// <inheritdoc />
    public async Task<StageResult> RunAsync(StageContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var outcome = await _trainer.TrainAsync(context.Progress, cancellationToken).ConfigureAwait(false);
        if (outcome.Version.Length == 0)
        {
            await Alerts.RaiseAsync(_dataSource, "train", "warning", "No churn model trained: " + outcome.Decision.Reason, cancellationToken).ConfigureAwait(false);
            return new StageResult(outcome.TrainRows, 0, "no model: " + outcome.Decision.Reason);
        }

        if (!outcome.Decision.Promote && outcome.Decision.Reason.StartsWith("sanity", StringComparison.Ordinal))
        {
            await Alerts.RaiseAsync(_dataSource, "train", "warning", $"Challenger {outcome.Version} rejected: {outcome.Decision.Reason}", cancellationToken).ConfigureAwait(false);
        }

        return new StageResult(outcome.TrainRows, 1,
            $"{outcome.Version} {(outcome.Unchanged ? "unchanged" : outcome.Decision.Promote ? "promoted" : "kept out")}: {outcome.Decision.Reason}");
    }
}
