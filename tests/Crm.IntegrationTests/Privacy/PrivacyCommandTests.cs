using Crm.IntegrationTests.Infrastructure;
using Npgsql;

namespace Crm.IntegrationTests.Privacy;

/// <summary>The real <c>crm forget</c> and <c>crm retention</c> commands against a warehouse (issue 10).</summary>
[Collection(ProcessCollection.Name)]
public sealed class PrivacyCommandTests(PostgresCluster cluster) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("crm-privacy-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task ForgetCommand_ErasesAuditsAndSuppresses_RetentionCommandReportsItsWindows()
    {
        var connection = await cluster.CreateDatabaseAsync("privacy_cli");
        var migrate = await CrmProcess.RunAsync(connection, _dir, TimeSpan.FromMinutes(2), "migrate");
        Assert.True(migrate.ExitCode == 0, migrate.Output);
        await using var ds = NpgsqlDataSource.Create(connection);
        await ds.ExecuteAsync("""
            insert into core.customer (customer_id, email, customer_name) values (7, 'zed@example.org', 'Zed Zebedee'), (8, 'amy@example.org', 'Amy Other');
            insert into core.source_customer (source, source_customer_id, email, customer_name, first_seen, last_seen)
            values ('orders:shop', 'S-000007', 'zed@example.org', 'Zed Zebedee', now(), now()), ('orders:shop', 'S-000008', 'amy@example.org', 'Amy Other', now(), now());
            insert into core.customer_identity (source, source_customer_id, customer_id) values ('orders:shop', 'S-000007', 7), ('orders:shop', 'S-000008', 8);
            insert into core."order" (feed, order_id, order_ts, source_customer_id, currency, status, line_count, total_amount, ledger_id)
            values ('shop', 'O7', now(), 'S-000007', 'EUR', 'ordered', 1, 10, 0), ('shop', 'O8', now(), 'S-000008', 'EUR', 'ordered', 1, 10, 0);
            """);

        var usage = await CrmProcess.RunAsync(connection, _dir, TimeSpan.FromMinutes(2), "forget");
        Assert.Equal(2, usage.ExitCode);
        var forget = await CrmProcess.RunAsync(connection, _dir, TimeSpan.FromMinutes(2), "forget", "--email", "Zed@Example.org", "--by", "dpo");

        Assert.True(forget.ExitCode == 0, forget.Output);
        Assert.Contains("customers=1", forget.Output, StringComparison.Ordinal);
        Assert.Matches(@"core\.order\s+1", forget.Output);
        Assert.DoesNotContain("zed@example.org", forget.Output, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("O8", await ds.ScalarAsync<string>("select string_agg(order_id, ',') from core.\"order\""));
        Assert.Equal("dpo", await ds.ScalarAsync<string>("select requested_by from ops.forget_audit"));
        Assert.Equal(0L, await ds.ScalarAsync<long>("select count(*) from ops.forget_audit where subject_hash ilike '%zed%' or counts::text ilike '%zed%'"));

        // Forgetting again finds nobody and changes nothing else.
        var again = await CrmProcess.RunAsync(connection, _dir, TimeSpan.FromMinutes(2), "forget", "--email", "zed@example.org");
        Assert.Contains("customers=0", again.Output, StringComparison.Ordinal);
        Assert.Equal(1L, await ds.ScalarAsync<long>("select count(*) from core.customer"));

        var retention = await CrmProcess.RunAsync(connection, _dir, TimeSpan.FromMinutes(2), "retention", "--config", WriteConfig());
        Assert.True(retention.ExitCode == 0, retention.Output);
        Assert.Contains("quarantine_days=30", retention.Output, StringComparison.Ordinal);
        Assert.Contains("staging_days=90", retention.Output, StringComparison.Ordinal);
    }

    private string WriteConfig()
    {
        var path = Path.Combine(_dir, "retention.json");
        File.WriteAllText(path, """{ "Crm": { "Retention": { "QuarantineDays": 30 } } }""");
        return path;
    }
}
