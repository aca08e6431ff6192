using Crm.IntegrationTests.Infrastructure;
using Crm.Pipeline;
using Crm.Pipeline.Jobs;
using Crm.Pipeline.Retention;
using Crm.Worker.Hosting;
using Hangfire;
using Hangfire.Common;
using Hangfire.States;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Crm.IntegrationTests.Privacy;

/// <summary>Retention windows (issue 10): rows older than each window go, newer ones stay; 0 keeps everything.</summary>
[Collection(HostCollection.Name)]
public sealed class RetentionTests(PostgresCluster cluster)
{
    private const string Seed = """
        insert into ops.ingest_ledger (ledger_id, source, unit_key, loaded_at) overriding system value values
          (1, 'orders', 'shop:/old.csv', now() - interval '100 days'), (2, 'orders', 'shop:/new.csv', now() - interval '10 days');
        insert into staging.order_line (ledger_id, line_number, feed, order_id, order_ts, quantity, line_total, currency, status)
        values (1, 1, 'shop', 'O1', now() - interval '100 days', 1, 10, 'EUR', 'ordered'),
               (1, 2, 'shop', 'O1', now() - interval '100 days', 1, 10, 'EUR', 'ordered'),
               (2, 1, 'shop', 'O2', now() - interval '10 days', 1, 10, 'EUR', 'ordered');
        insert into core."order" (feed, order_id, order_ts, currency, status, line_count, total_amount, ledger_id)
        values ('shop', 'O1', now() - interval '100 days', 'EUR', 'ordered', 2, 20, 1);
        insert into quarantine.record (source, ledger_id, reason, raw_text, quarantined_at)
        values ('orders', 1, 'old', 'x', now() - interval '200 days'), ('orders', 2, 'new', 'y', now() - interval '20 days');
        insert into ops.pipeline_run (run_id, kind, status, started_at) values
          ('00000000-0000-0000-0000-000000000001', 'nightly', 'succeeded', now() - interval '500 days'),
          ('00000000-0000-0000-0000-000000000002', 'nightly', 'running', now() - interval '500 days'),
          ('00000000-0000-0000-0000-000000000003', 'nightly', 'failed', now() - interval '5 days');
        insert into ops.pipeline_stage (run_id, stage, status) values ('00000000-0000-0000-0000-000000000001', 'orders', 'succeeded');
        -- Eight models, newest last: 2 is the champion, 1 the previous champion, 3 an older one.
        insert into ml.model (model_id, kind, version, trainer, metrics, artifact, status, created_at, promoted_at) overriding system value
        select i, 'churn', 'v' || i, 'FastTree', jsonb_build_object('auc', 0.7 + i / 100.0), '\x0102'::bytea,
               case i when 2 then 'champion' when 1 then 'retired' when 3 then 'retired' else 'challenger' end,
               now() - make_interval(days => 100 - i),
               case i when 2 then now() - interval '1 day' when 1 then now() - interval '30 days' when 3 then now() - interval '60 days' end
          from generate_series(1, 8) i;
        -- Model output history: customer 1 scored 500, 450 and 10 days ago; customer 2 only 500 days ago (their latest).
        insert into ml.churn_score (customer_id, scored_at, model_version, probability, risk_band) values
          (1, now() - interval '500 days', 'v1', 0.5, 'medium'), (1, now() - interval '450 days', 'v1', 0.6, 'medium'),
          (1, now() - interval '10 days', 'v2', 0.7, 'high'), (2, now() - interval '500 days', 'v1', 0.2, 'low');
        insert into ml.customer_value (customer_id, computed_at, clv, horizon_days) values
          (1, now() - interval '500 days', 10, 365), (1, now() - interval '10 days', 12, 365), (2, now() - interval '500 days', 5, 365);
        insert into ml.customer_segment (customer_id, as_of, scheme, segment) values
          (1, current_date - 500, 'rfm', 'Loyal'), (1, current_date - 10, 'rfm', 'At risk'),
          (1, current_date - 500, 'kmeans', 'c1'), (2, current_date - 500, 'rfm', 'Hibernating');
        -- Feature cutoffs. The churn calendar's "today" is the day after the last order (100 days ago); it uses that day
        -- and every 30 days back from 90 days before it. One cutoff it uses, built 30 days ago; one it does not, built
        -- 30 days ago (past a 7-day window); one it does not, built yesterday.
        insert into ml.feature_cutoff (cutoff, sample_slots, customers, computed_at)
        select d, 1048576, 2, now() - make_interval(days => a)
          from (select ((select max(order_ts) from core."order") at time zone 'UTC')::date + 1 as today) t
          cross join lateral (values (t.today, 30), (t.today - 1, 30), (t.today - 2, 1)) v(d, a);
        insert into ml.customer_features (cutoff, customer_id) select c.cutoff, i from ml.feature_cutoff c cross join generate_series(1, 2) i;
        """;

    [Fact]
    public async Task Retention_DropsWhatIsOlderThanEachWindow_AndKeepsTheRest()
    {
        await using var ds = await cluster.CreateMigratedDatabaseAsync("retention");
        await ds.ExecuteAsync(Seed);
        var outbox = Path.Combine(Path.GetTempPath(), "crm-retention-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(outbox);
        var oldHtml = Path.Combine(outbox, "old.html");
        var newHtml = Path.Combine(outbox, "new.html");
        File.WriteAllText(oldHtml, "<p>old</p>");
        File.WriteAllText(newHtml, "<p>new</p>");
        await using (var command = ds.CreateCommand(
            """
            insert into ops.report_delivery (report, period_key, period_start, period_end, recipient, status, message_id, html, eml, html_path, sent_at) values
              ('manager-summary', 'monthly:old', '2020-01-01', '2020-01-31', 'a@shop.example', 'sent', '<old@crm>', '<p>old</p>', '\x01', @old, now() - interval '500 days'),
              ('manager-summary', 'monthly:new', '2020-02-01', '2020-02-28', 'a@shop.example', 'sent', '<new@crm>', '<p>new</p>', '\x01', @new, now() - interval '30 days')
            """))
        {
            command.Parameters.AddWithValue("old", oldHtml);
            command.Parameters.AddWithValue("new", newHtml);
            await command.ExecuteNonQueryAsync();
        }

        var counts = await StageAsync(ds, new()
        {
            ["Crm:Retention:StagingDays"] = "90",
            ["Crm:Retention:QuarantineDays"] = "180",
            ["Crm:Retention:ReportArchiveDays"] = "400",
            ["Crm:Retention:PipelineRunDays"] = "400",
            ["Crm:Retention:ModelArtifactsKept"] = "3",
            ["Crm:Retention:ScoreHistoryDays"] = "400",
            ["Crm:Retention:FeatureCutoffDays"] = "7",
        });

        Assert.Equal(2, counts["staging rows"]);
        // The cutoff the calendar no longer uses and built 30 days ago goes; the one it uses and the recent one stay.
        Assert.Equal(2, counts["feature rows"]);
        Assert.Equal("0,2", await ds.ScalarAsync<string>(
            """
            select string_agg((((select max(order_ts) from core."order") at time zone 'UTC')::date + 1 - cutoff)::text, ',' order by cutoff desc)
              from ml.feature_cutoff
            """));
        Assert.Equal(4L, await ds.ScalarAsync<long>("select count(*) from ml.customer_features"));
        // Score history past 400 days goes, except each customer's (and scheme's) latest row.
        Assert.Equal("1:v2,2:v1", await ds.ScalarAsync<string>("select string_agg(customer_id || ':' || model_version, ',' order by customer_id) from ml.churn_score"));
        Assert.Equal("1:12,2:5", await ds.ScalarAsync<string>("select string_agg(customer_id || ':' || clv, ',' order by customer_id) from ml.customer_value"));
        Assert.Equal("1:kmeans:c1,1:rfm:At risk,2:rfm:Hibernating", await ds.ScalarAsync<string>("select string_agg(customer_id || ':' || scheme || ':' || segment, ',' order by customer_id, scheme) from ml.customer_segment"));
        Assert.Equal(2, counts["churn score history"]);
        Assert.Equal("2", await ds.ScalarAsync<string>("select string_agg(ledger_id::text, ',') from staging.order_line"));
        Assert.Equal(1L, await ds.ScalarAsync<long>("select count(*) from core.\"order\"")); // core keeps the facts
        Assert.Equal("new", await ds.ScalarAsync<string>("select string_agg(reason, ',') from quarantine.record"));
        Assert.Equal("<new@crm>", await ds.ScalarAsync<string>("select string_agg(message_id, ',') from ops.report_delivery where html is not null and eml is not null and html_path is not null"));
        Assert.Equal(2L, await ds.ScalarAsync<long>("select count(*) from ops.report_delivery")); // the exactly-once guard stays
        Assert.False(File.Exists(oldHtml));
        Assert.True(File.Exists(newHtml));
        Assert.Equal("00000000-0000-0000-0000-000000000002,00000000-0000-0000-0000-000000000003", await ds.ScalarAsync<string>("select string_agg(run_id::text, ',' order by run_id) from ops.pipeline_run"));
        Assert.Equal(0L, await ds.ScalarAsync<long>("select count(*) from ops.pipeline_stage"));
        // Artifacts: the 3 newest (6, 7, 8), the champion (2) and the previous champion (1); every model keeps its row and metrics.
        Assert.Equal("1,2,6,7,8", await ds.ScalarAsync<string>("select string_agg(model_id::text, ',' order by model_id) from ml.model where artifact is not null"));
        Assert.Equal(8L, await ds.ScalarAsync<long>("select count(*) from ml.model where metrics is not null"));
        Assert.Equal(3, counts["model artifacts"]);

        // Again: nothing more to drop.
        var again = await StageAsync(ds, new() { ["Crm:Retention:ModelArtifactsKept"] = "3" });
        Assert.All(again.Values, n => Assert.Equal(0, n));
        Directory.Delete(outbox, recursive: true);
    }

    [Fact]
    public async Task ZeroWindows_KeepEverything()
    {
        await using var ds = await cluster.CreateMigratedDatabaseAsync("retention_keep");
        await ds.ExecuteAsync(Seed);

        var counts = await StageAsync(ds, new()
        {
            ["Crm:Retention:StagingDays"] = "0",
            ["Crm:Retention:QuarantineDays"] = "0",
            ["Crm:Retention:ReportArchiveDays"] = "0",
            ["Crm:Retention:PipelineRunDays"] = "0",
            ["Crm:Retention:ModelArtifactsKept"] = "0",
            ["Crm:Retention:ScoreHistoryDays"] = "0",
            ["Crm:Retention:FeatureCutoffDays"] = "0",
        });

        Assert.All(counts.Values, n => Assert.Equal(0, n));
        Assert.Equal(6L, await ds.ScalarAsync<long>("select count(*) from ml.customer_features"));
        Assert.Equal(3L, await ds.ScalarAsync<long>("select count(*) from staging.order_line"));
        Assert.Equal(8L, await ds.ScalarAsync<long>("select count(*) from ml.model where artifact is not null"));
    }

    [Fact]
    public async Task RetentionStage_RunsLastInTheNightlyChain()
    {
        await using var ds = await cluster.CreateMigratedDatabaseAsync("retention_chain");
        await using var services = new ServiceCollection().AddLogging().AddSingleton(ds).AddCrmPipeline(new ConfigurationBuilder().Build()).BuildServiceProvider();
        Assert.Equal("retention", services.GetRequiredService<PipelineRunner>().StageNames[^1]);
    }

    [Fact]
    public async Task HangfireJobs_ExpireAfterTheConfiguredDays()
    {
        // A host stopped by an earlier test leaves Hangfire's static log provider on its disposed logger factory.
        Hangfire.Logging.LogProvider.SetCurrentLogProvider(null);
        var connectionString = await cluster.CreateDatabaseAsync("retention_hangfire");
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Crm:Retention:HangfireJobDays"] = "3" }).Build();
        var filter = HangfireSetup.ExpirationFilter(configuration);
        Assert.Equal(TimeSpan.FromDays(3), filter.Timeout);
        var storage = HangfireSetup.CreateStorage(connectionString, configuration);
        var filters = new JobFilterCollection { filter };
        var client = new BackgroundJobClient(storage, filters);

        var id = client.Create(() => Console.WriteLine("done"), new EnqueuedState());
        Assert.True(client.ChangeState(id, new SucceededState(null, 0, 0), EnqueuedState.StateName));

        await using var ds = NpgsqlDataSource.Create(connectionString);
        var days = await ds.ScalarAsync<double>($"select extract(epoch from expireat - now()) / 86400 from hangfire.job where id = {id}");
        Assert.InRange(days, 2.9, 3.0001);
    }

    private static async Task<IReadOnlyDictionary<string, long>> StageAsync(NpgsqlDataSource ds, Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        await using var services = new ServiceCollection().AddLogging().AddSingleton(ds).AddCrmPipeline(configuration).BuildServiceProvider();
        var stage = services.GetServices<IPipelineStage>().OfType<RetentionStage>().Single();
        return await stage.ApplyAsync(CancellationToken.None);
    }
}
