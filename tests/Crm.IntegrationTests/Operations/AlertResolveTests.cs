using Crm.IntegrationTests.Infrastructure;
using Crm.Pipeline.Jobs;
using Npgsql;

namespace Crm.IntegrationTests.Operations;

/// <summary>
/// Issue 19: an alert a stage raised stays open while the stage keeps raising it, and is resolved by the first later
/// attempt of that stage that succeeds without raising it (which resolves its incident and tells the admins). A failed
/// attempt resolves nothing, and another stage's alerts are not touched.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class AlertResolveTests(PostgresCluster cluster)
{
    private const string NoChampion = "No champion churn model yet: nothing scored. Run the train stage.";

    [Fact]
    public async Task AnAlert_StaysOpenWhileRaisedAgain_AndIsResolvedByTheFirstSuccessWithoutIt()
    {
        await using var ds = await cluster.CreateMigratedDatabaseAsync("alertresolve");
        var recorder = new PipelineRunRecorder(ds);

        // Night 1: score raises the alert and succeeds; train raises one of its own.
        await StageAsync(ds, recorder, "score", raise: true, succeed: true);
        await StageAsync(ds, recorder, "train", raise: true, succeed: true);
        Assert.Equal("score:open:1,train:open:1", await StateAsync(ds));

        // Night 2: score raises the same alert again: still one row, still open.
        await StageAsync(ds, recorder, "score", raise: true, succeed: true);
        Assert.Equal("score:open:1,train:open:1", await StateAsync(ds));

        // Night 3: score fails without raising it: a failure says nothing about the condition.
        await StageAsync(ds, recorder, "score", raise: false, succeed: false);
        Assert.Equal("score:open:1,train:open:1", await StateAsync(ds));

        // Night 4: score succeeds without raising it: resolved; train's alert is not score's to resolve.
        await StageAsync(ds, recorder, "score", raise: false, succeed: true);
        Assert.Equal("score:resolved:1,train:open:1", await StateAsync(ds));

        // Night 5: the condition comes back: a new alert (a new incident), the resolved one stays resolved.
        await StageAsync(ds, recorder, "score", raise: true, succeed: true);
        Assert.Equal("score:open:1,score:resolved:1,train:open:1", await StateAsync(ds));
    }

    private static async Task StageAsync(NpgsqlDataSource ds, PipelineRunRecorder recorder, string stage, bool raise, bool succeed)
    {
        var (runId, _) = await recorder.StartRunAsync("manual", null, CancellationToken.None);
        await recorder.StartStageAsync(runId, stage, CancellationToken.None);
        if (raise)
        {
            await Alerts.RaiseAsync(ds, stage, "warning", stage == "score" ? NoChampion : "Challenger rejected: AUC below the champion", CancellationToken.None);
        }

        await recorder.FinishStageAsync(runId, stage, succeed ? new StageResult(0, 0, "done") : null, succeed ? null : "57P01: terminating connection", CancellationToken.None);
    }

    private static async Task<string> StateAsync(NpgsqlDataSource ds)
    {
        await using var command = ds.CreateCommand(
            """
            select string_agg(concat_ws(':', source, state, n), ',' order by source, state)
              from (select source, case when resolved_at is null then 'open' else 'resolved' end as state, count(*) as n
                      from ops.alert group by 1, 2) t
            """);
        return (string)(await command.ExecuteScalarAsync())!;
    }
}
