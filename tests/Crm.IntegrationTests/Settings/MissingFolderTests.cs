using Crm.IntegrationTests.Infrastructure;
using Crm.Pipeline;
using Crm.Pipeline.Jobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Crm.IntegrationTests.Settings;

/// <summary>
/// A source folder that was there when the settings were checked and is gone when the stage runs (an unmounted
/// share, a renamed folder) is a failed unit with its reason and the setting to fix, not "0 files".
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class MissingFolderTests(PostgresCluster cluster)
{
    [Fact]
    public async Task A_feed_or_log_folder_gone_at_run_time_is_a_failed_unit_naming_the_setting()
    {
        await using var ds = await cluster.CreateMigratedDatabaseAsync("gone");
        var root = Directory.CreateTempSubdirectory("crm-gone-").FullName;
        var orders = Directory.CreateDirectory(Path.Combine(root, "orders")).FullName;
        var logs = Directory.CreateDirectory(Path.Combine(root, "logs")).FullName;
        try
        {
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Crm:Orders:Feeds:0:Name"] = "shop",
                ["Crm:Orders:Feeds:0:Folder"] = orders,
                ["Crm:Orders:Feeds:0:Format"] = "csv",
                ["Crm:Orders:Feeds:0:Columns:order_id"] = "id",
                ["Crm:Orders:Feeds:0:Columns:order_date"] = "date",
                ["Crm:Orders:Feeds:0:Columns:email"] = "email",
                ["Crm:Orders:Feeds:0:Columns:unit_price"] = "price",
                ["Crm:WebLogs:Sources:0:Name"] = "www",
                ["Crm:WebLogs:Sources:0:Folder"] = logs,
            }).Build();
            await using var services = new ServiceCollection().AddLogging().AddSingleton(ds).AddCrmPipeline(configuration).BuildServiceProvider();
            var runner = services.GetRequiredService<PipelineRunner>();
            // The settings are checked (and pass) while the folders exist.
            var before = await runner.RunAsync(["orders", "weblogs"], "manual", _ => NullProgressSink.Instance, CancellationToken.None);
            Assert.All(before, s => Assert.Contains(", 0 failed", s.Result.Summary, StringComparison.Ordinal));

            Directory.Delete(orders);
            Directory.Delete(logs);
            var after = await runner.RunAsync(["orders", "weblogs"], "manual", _ => NullProgressSink.Instance, CancellationToken.None);
            var ordersStage = after.Single(s => s.Stage == "orders").Result.Summary;
            var webStage = after.Single(s => s.Stage == "weblogs").Result.Summary;
            Assert.Contains("1 failed", ordersStage, StringComparison.Ordinal);
            Assert.Contains($"folder {orders} of feed 'shop' does not exist", ordersStage, StringComparison.Ordinal);
            Assert.Contains("Crm:Orders:Feeds:0:Folder", ordersStage, StringComparison.Ordinal);
            Assert.Contains("1 failed", webStage, StringComparison.Ordinal);
            Assert.Contains($"folder {logs} of web log source 'www' does not exist", webStage, StringComparison.Ordinal);
            Assert.Contains("Crm:WebLogs:Sources:0:Folder", webStage, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
