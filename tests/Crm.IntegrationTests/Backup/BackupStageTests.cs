using Crm.IntegrationTests.Dashboard;
using Crm.IntegrationTests.Infrastructure;
using Crm.Pipeline;
using Crm.Pipeline.Backup;
using Crm.Pipeline.Jobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Crm.IntegrationTests.Backup;

/// <summary>Issue 23: the scheduled <c>backup</c> stage keeps exactly KeepDaily + KeepWeekly snapshots, and a failed backup is an alert.</summary>
[Collection(PostgresCollection.Name)]
public sealed class BackupStageTests(PostgresCluster cluster) : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "crm-backup-stage-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task BackupStage_AfterAMonthOfNightlySnapshots_KeepsExactlyThreeDailyAndTwoWeekly()
    {
        var connectionString = await cluster.CreateDatabaseAsync("bk_stage");
        await using var ds = NpgsqlDataSource.Create(connectionString);
        await new Pipeline.Warehouse.Migrator(ds).MigrateAsync(CancellationToken.None);
        var folder = Path.Combine(_dir, "snapshots");
        // November 2026, one snapshot a night at 02:00 UTC; a folder of another name and a half-written one are not snapshots.
        for (var day = 1; day <= 30; day++)
        {
            var snapshot = Path.Combine(folder, $"crm-202611{day:00}T020000Z");
            Directory.CreateDirectory(snapshot);
            await File.WriteAllTextAsync(Path.Combine(snapshot, "manifest.json"), "{}");
        }

        Directory.CreateDirectory(Path.Combine(folder, "keep-me"));
        Directory.CreateDirectory(Path.Combine(folder, ".crm-20261001T020000Z.partial"));
        await using var services = Services(ds, connectionString, folder, new DateTimeOffset(2026, 12, 1, 2, 0, 0, TimeSpan.Zero));
        var stage = services.GetServices<IPipelineStage>().OfType<BackupStage>().Single();

        var result = await stage.RunAsync(new StageContext(Guid.NewGuid(), "scheduled", NullProgressSink.Instance), CancellationToken.None);

        // Tuesday 1 December (the new one), Monday 30 and Sunday 29 November as daily snapshots: ISO week 48 (23–29 November)
        // has a daily one, so the weekly ones are the newest of weeks 47 (Sunday 22nd) and 46 (Sunday 15th).
        Assert.Equal(
            ["crm-20261201T020000Z", "crm-20261130T020000Z", "crm-20261129T020000Z", "crm-20261122T020000Z", "crm-20261115T020000Z"],
            SnapshotRetention.List(folder).Select(s => Path.GetFileName(s.Path)));
        Assert.True(Directory.Exists(Path.Combine(folder, "keep-me")));
        Assert.True(Directory.Exists(Path.Combine(folder, ".crm-20261001T020000Z.partial")));
        Assert.EndsWith("5 kept, 26 removed", result.Summary, StringComparison.Ordinal);
        Assert.Equal(0L, await ds.ScalarAsync<long>("select count(*) from ops.alert where source = 'backup'"));
    }

    [Fact]
    public async Task BackupStage_ThatCannotWriteItsFolder_FailsAndRaisesAnAlertNamingIt()
    {
        var connectionString = await cluster.CreateDatabaseAsync("bk_stage_fail");
        await using var ds = NpgsqlDataSource.Create(connectionString);
        await new Pipeline.Warehouse.Migrator(ds).MigrateAsync(CancellationToken.None);
        Directory.CreateDirectory(_dir);
        var file = Path.Combine(_dir, "not-a-folder");
        await File.WriteAllTextAsync(file, "a file where the folder's parent should be");
        var folder = Path.Combine(file, "snapshots");
        await using var services = Services(ds, connectionString, folder, new DateTimeOffset(2026, 12, 1, 2, 0, 0, TimeSpan.Zero));
        var stage = services.GetServices<IPipelineStage>().OfType<BackupStage>().Single();

        await Assert.ThrowsAnyAsync<IOException>(() => stage.RunAsync(new StageContext(Guid.NewGuid(), "scheduled", NullProgressSink.Instance), CancellationToken.None));

        var alert = await ds.ScalarAsync<string>("select severity || ' ' || message from ops.alert where source = 'backup'");
        Assert.StartsWith($"error Backup into {folder} failed: ", alert, StringComparison.Ordinal);
    }

    private static ServiceProvider Services(NpgsqlDataSource ds, string connectionString, string folder, DateTimeOffset now)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Crm:Backup:Folder"] = folder,
            ["Crm:Backup:KeepDaily"] = "3",
            ["Crm:Backup:KeepWeekly"] = "2",
            ["Crm:Backup:MinFreeMegabytes"] = "0",
            ["Crm:Reports:Outbox"] = Path.Combine(Path.GetDirectoryName(folder)!, "outbox"),
        }).Build();
        return new ServiceCollection()
            .AddLogging()
            .AddSingleton(ds)
            .AddSingleton(new WarehouseConnection(connectionString))
            .AddSingleton<TimeProvider>(new ManualClock(now))
            .AddSingleton<IConfiguration>(configuration)
            .AddCrmPipeline(configuration)
            .BuildServiceProvider();
    }
}
