using Crm.IntegrationTests.Infrastructure;
using Crm.Pipeline.Sources.WebLogs;

namespace Crm.IntegrationTests.Warehouse;

/// <summary>The hot queries over web events touch only the months they ask for (deploy/SCALING.md).</summary>
[Collection(PostgresCollection.Name)]
public sealed class PartitionPruningTests(PostgresCluster cluster)
{
    [Theory]
    [InlineData("select count(*) from core.web_event where event_ts >= '2026-02-01T00:00:00Z' and event_ts < '2026-03-01T00:00:00Z'")]
    [InlineData("select visitor_key, count(*) from core.web_event where site = 'shop' and event_ts >= '2026-02-10T00:00:00Z' and event_ts < '2026-02-17T00:00:00Z' and not is_bot group by visitor_key")]
    public async Task AQueryForOneMonth_ScansOnlyThatMonthsPartition(string query)
    {
        await using var dataSource = await cluster.CreateMigratedDatabaseAsync("prune");
        await new WebEventPartitions(dataSource).EnsureAsync([202601, 202602, 202603], CancellationToken.None);

        await using var command = dataSource.CreateCommand("explain (costs off) " + query);
        await using var reader = await command.ExecuteReaderAsync();
        var lines = new List<string>();
        while (await reader.ReadAsync())
        {
            lines.Add(reader.GetString(0));
        }

        var text = string.Join('\n', lines);
        Assert.Contains("web_event_p202602", text, StringComparison.Ordinal);
        Assert.DoesNotContain("web_event_p202601", text, StringComparison.Ordinal);
        Assert.DoesNotContain("web_event_p202603", text, StringComparison.Ordinal);
    }
}
