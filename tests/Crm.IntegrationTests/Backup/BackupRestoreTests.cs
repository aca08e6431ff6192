using System.Net;
using Crm.IntegrationTests.Dashboard;
using Crm.IntegrationTests.Infrastructure;
using Crm.IntegrationTests.Reports;
using Crm.Pipeline.Backup;
using Crm.Pipeline.Jobs;
using Crm.Pipeline.Warehouse;
using Crm.Worker.Hosting;
using Hangfire;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace Crm.IntegrationTests.Backup;

/// <summary>
/// Issue 23: <c>crm backup</c> and <c>crm restore</c> as a user runs them, on a warehouse with the demo's kind of data (the
/// CDNOW sample loaded through the order feed, golden customers, scores), Hangfire's and Quartz's state and a report in the
/// outbox: every table's rows come back equal (checksums computed here), the dashboard shows the runs on the restored
/// warehouse, a snapshot of an earlier release is migrated forward, and a damaged snapshot or a non-empty target is refused.
/// </summary>
[Collection(HostCollection.Name)]
public sealed class BackupRestoreTests(PostgresCluster cluster) : IDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(3);
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "crm-backup-" + Guid.NewGuid().ToString("N")[..8]);

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
    public async Task BackUp_DropTheWarehouse_RestoreIntoAFreshEmbeddedCluster_EveryTableIsEqual_AndAnAdminSeesTheRuns()
    {
        var source = await cluster.CreateMigratedConnectionStringAsync("bk_demo");
        Guid runId;
        await using (var ds = NpgsqlDataSource.Create(source))
        {
            await DemoReportWarehouse.FillAsync(ds);
            var recorder = new PipelineRunRecorder(ds);
            (runId, _) = await recorder.StartRunAsync("nightly", null, CancellationToken.None);
            await recorder.StartStageAsync(runId, "orders", CancellationToken.None);
            await recorder.FinishStageAsync(runId, "orders", new StageResult(4242, 4241, "loaded"), null, CancellationToken.None);
            await recorder.FinishRunAsync(runId, null, CancellationToken.None);
        }

        // Hangfire's own schema and a job in it, as the service leaves them.
        var configuration = new ConfigurationBuilder().Build();
        var client = new BackgroundJobClient(HangfireSetup.CreateStorage(source, configuration));
        client.Enqueue(() => Console.WriteLine("kept across the backup"));
        var work = Path.Combine(_dir, "work");
        var outboxFile = Path.Combine(work, ".crm", "outbox", "2026-03-monthly-ada.html");
        Directory.CreateDirectory(Path.GetDirectoryName(outboxFile)!);
        await File.WriteAllTextAsync(outboxFile, "<html>the March report</html>");
        var before = await TableChecksums.OfAsync(source);
        Assert.Contains("hangfire.job", before.Keys);
        Assert.Contains("quartz.qrtz_locks", before.Keys);
        Assert.StartsWith("1:", before["hangfire.job"], StringComparison.Ordinal);
        Assert.True(long.Parse(before["core.order_line"].Split(':')[0], System.Globalization.CultureInfo.InvariantCulture) > 1000);

        var (backupExit, backupOutput) = await CrmProcess.RunAsync(source, work, CommandTimeout, "backup", "--to", Path.Combine(_dir, "snapshots"));
        Assert.True(backupExit == 0, backupOutput);
        var snapshot = Assert.Single(Directory.GetDirectories(Path.Combine(_dir, "snapshots")));
        Assert.Contains($"snapshot {snapshot}", backupOutput, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(snapshot, "outbox", "2026-03-monthly-ada.html")));

        // The warehouse is lost, and the outbox with it.
        await using (var admin = new NpgsqlConnection(cluster.Server.ConnectionString))
        {
            await admin.OpenAsync();
            await using var drop = new NpgsqlCommand($"drop database \"{new NpgsqlConnectionStringBuilder(source).Database}\" with (force)", admin);
            await drop.ExecuteNonQueryAsync();
        }

        Directory.Delete(work, recursive: true);

        // A new machine: no connection string, so restore starts a fresh embedded cluster in its data folder.
        var restoredHere = Path.Combine(_dir, "restored");
        Directory.CreateDirectory(restoredHere);
        var (restoreExit, restoreOutput) = await CrmProcess.RunAsync("", restoredHere, CommandTimeout, "restore", snapshot);
        Assert.True(restoreExit == 0, restoreOutput);
        Assert.Contains($"rows: all {before.Count} tables hold the", restoreOutput, StringComparison.Ordinal);
        Assert.Contains("migrations: none to apply", restoreOutput, StringComparison.Ordinal);
        Assert.Equal("<html>the March report</html>", await File.ReadAllTextAsync(Path.Combine(restoredHere, ".crm", "outbox", "2026-03-monthly-ada.html")));

        var server = await EmbeddedPostgres.StartAsync(Path.Combine(restoredHere, ".crm", "postgres"), CancellationToken.None);
        try
        {
            Assert.Equal(before, await TableChecksums.OfAsync(server.ConnectionString));

            // The dashboard on the restored warehouse: an admin signs in and sees the run.
            await using (var dashboard = await DashboardHost.StartAsync(server.ConnectionString, DashboardHost.Settings(server.ConnectionString)))
            {
                using var http = DashboardClient.Create(dashboard.BaseUrl, out _);
                Assert.Equal(HttpStatusCode.Redirect, (await DashboardClient.LoginAsync(http, DashboardHost.Admin, DashboardHost.AdminPassword)).StatusCode);
                var runs = await http.GetStringAsync("/hangfire/runs");
                Assert.Contains("orders succeeded (4242 read, 4241 written", runs, StringComparison.Ordinal);
                var enqueued = await http.GetStringAsync("/hangfire/jobs/enqueued");
                Assert.Contains("Console.WriteLine", enqueued, StringComparison.Ordinal);
            }
        }
        finally
        {
            await server.StopAsync();
        }
    }

    [Fact]
    public async Task ASnapshotOfAnEarlierRelease_IsRestoredWithItsRows_ThenMigratedForward()
    {
        const string earlierRelease = "0300_identity";
        var source = await cluster.CreateDatabaseAsync("bk_old");
        var all = SqlResource.Migrations();
        var earlier = all.TakeWhile(m => string.CompareOrdinal(m.Name, earlierRelease) <= 0).ToList();
        await using (var ds = NpgsqlDataSource.Create(source))
        {
            await EarlierRelease.ApplyAsync(ds, earlier);
            await ds.ExecuteAsync(
                """
                insert into core.customer (customer_id, customer_name, email) values (1, 'Ada Lovelace', 'ada@example.com'), (2, 'Alan Turing', 'alan@example.com');
                """);
        }

        var before = await TableChecksums.OfAsync(source);
        var (folder, manifest) = await SnapshotWriter.TakeAsync(source, Path.Combine(_dir, "snapshots"), null, TimeProvider.System, CancellationToken.None);
        Assert.Equal(earlierRelease, manifest.MigrationLevel);

        var target = await cluster.CreateDatabaseAsync("bk_old_restored");
        var (exit, output) = await CrmProcess.RunAsync("", _dir, CommandTimeout, "restore", Path.Combine(folder, "manifest.json"), "--into", target);

        Assert.True(exit == 0, output);
        var later = all.Skip(earlier.Count).Select(m => m.Name).ToList();
        Assert.Contains($"migrated forward: {later.Count} applied ({string.Join(", ", later)})", output, StringComparison.Ordinal);
        await using var restored = NpgsqlDataSource.Create(target);
        Assert.Empty(await new Migrator(restored).PendingAsync(CancellationToken.None));
        Assert.Equal("1:Ada Lovelace|2:Alan Turing", await restored.ScalarAsync<string>("select string_agg(customer_id || ':' || customer_name, '|' order by customer_id) from core.customer"));
        // Every table the earlier release had holds as many rows as it did (later migrations may add columns; the journal
        // gained the later migrations).
        var after = await TableChecksums.OfAsync(target);
        foreach (var (table, sum) in before.Where(t => t.Key != "ops.schema_migration"))
        {
            Assert.True(after.TryGetValue(table, out var got) && got.Split(':')[0] == sum.Split(':')[0], $"{table}: {sum} before, {got} after");
        }

        Assert.StartsWith($"{all.Count}:", after["ops.schema_migration"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task ATruncatedOrAlteredSnapshot_IsRefused_NamingTheFileAndWhy_AndTheTargetStaysEmpty()
    {
        var source = await cluster.CreateMigratedConnectionStringAsync("bk_bad");
        var (folder, _) = await SnapshotWriter.TakeAsync(source, Path.Combine(_dir, "snapshots"), null, TimeProvider.System, CancellationToken.None);
        var dump = Path.Combine(folder, "warehouse.pgdump");
        var bytes = await File.ReadAllBytesAsync(dump);
        var target = await cluster.CreateDatabaseAsync("bk_bad_target");

        await File.WriteAllBytesAsync(dump, bytes[..(bytes.Length / 2)]);
        var (truncatedExit, truncated) = await CrmProcess.RunAsync("", _dir, CommandTimeout, "restore", folder, "--into", target);

        var altered = (byte[])bytes.Clone();
        altered[altered.Length / 2] ^= 0x20;
        await File.WriteAllBytesAsync(dump, altered);
        var (alteredExit, alteredOutput) = await CrmProcess.RunAsync("", _dir, CommandTimeout, "restore", folder, "--into", target);

        await File.WriteAllBytesAsync(dump, bytes);
        await File.WriteAllTextAsync(Path.Combine(folder, "manifest.json"), (await File.ReadAllTextAsync(Path.Combine(folder, "manifest.json")))[..100]);
        var (cutManifestExit, cutManifest) = await CrmProcess.RunAsync("", _dir, CommandTimeout, "restore", folder, "--into", target);

        Assert.Equal(2, truncatedExit);
        Assert.Equal(
            $"crm: restore refused: {dump}: truncated ({bytes.Length / 2:N0} bytes of {bytes.Length:N0} in the manifest); use another snapshot or copy this one again.",
            truncated.Trim());
        Assert.Equal(2, alteredExit);
        Assert.StartsWith($"crm: restore refused: {dump}: SHA-256 ", alteredOutput.Trim(), StringComparison.Ordinal);
        Assert.EndsWith("the file was altered or damaged, use another snapshot.", alteredOutput.Trim(), StringComparison.Ordinal);
        Assert.Equal(2, cutManifestExit);
        Assert.StartsWith($"crm: restore refused: {Path.Combine(folder, "manifest.json")}: not valid JSON", cutManifest.Trim(), StringComparison.Ordinal);
        await using var ds = NpgsqlDataSource.Create(target);
        Assert.Equal(0L, await ds.ScalarAsync<long>("select count(*) from pg_namespace where nspname in ('ops', 'core', 'hangfire', 'quartz')"));
    }

    [Fact]
    public async Task ATargetHoldingData_IsRefusedWithoutForce_AndReplacedWithIt()
    {
        var source = await cluster.CreateMigratedConnectionStringAsync("bk_force");
        await using (var ds = NpgsqlDataSource.Create(source))
        {
            await ds.ExecuteAsync("insert into core.customer (customer_id, customer_name) values (7, 'from the snapshot')");
        }

        var (folder, manifest) = await SnapshotWriter.TakeAsync(source, Path.Combine(_dir, "snapshots"), null, TimeProvider.System, CancellationToken.None);
        var target = await cluster.CreateMigratedConnectionStringAsync("bk_force_target");
        await using var restored = NpgsqlDataSource.Create(target);
        await restored.ExecuteAsync("insert into core.customer (customer_id, customer_name) values (8, 'already there')");

        var refused = await Assert.ThrowsAsync<SnapshotException>(() => SnapshotRestorer.RestoreAsync(folder, target, force: false, null, CancellationToken.None));
        Assert.True(refused.TargetNotEmpty);
        Assert.Contains("add --force to replace what it holds", refused.Message, StringComparison.Ordinal);
        Assert.Equal("8", await restored.ScalarAsync<string>("select string_agg(customer_id::text, ',') from core.customer"));

        var result = await SnapshotRestorer.RestoreAsync(folder, target, force: true, null, CancellationToken.None);
        Assert.Empty(result.Migrated);
        Assert.Equal("7:from the snapshot", await restored.ScalarAsync<string>("select string_agg(customer_id || ':' || customer_name, ',') from core.customer"));
        Assert.Equal(manifest.Tables.Count, (await TableChecksums.OfAsync(target)).Count);
    }
}
