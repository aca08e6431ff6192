using System.Text.Json;
using Crm.IntegrationTests.Infrastructure;
using Crm.Pipeline;
using Crm.Pipeline.Jobs;
using Crm.Pipeline.Sources.Email;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Crm.IntegrationTests.Email;

/// <summary>The <c>email</c> stage as registered by AddCrmPipeline, and the real <c>crm ingest email</c> command (issue 6).</summary>
[Collection(ProcessCollection.Name)]
public sealed class EmailStageAndCommandTests(PostgresCluster cluster) : IDisposable
{
    private static readonly string DemoMail = Path.Combine(TestData.RepositoryRoot, "src", "Crm.Worker", "demo", "email");
    private readonly string _temp = Directory.CreateTempSubdirectory("crm-email-cli-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [Fact]
    public async Task EmailStage_FromConfiguration_LoadsDropsAndImap_AndIsIdempotent()
    {
        await using var server = await DovecotServer.StartAsync();
        await server.AppendAsync("INBOX", Enumerable.Range(1, 2).Select(n => EmailTestKit.Message(n)));
        await using var db = await cluster.CreateMigratedDatabaseAsync("email_stage");
        var passwordVariable = "CRM_TEST_IMAP_PASSWORD_" + Guid.NewGuid().ToString("N")[..6].ToUpperInvariant();
        Environment.SetEnvironmentVariable(passwordVariable, DovecotServer.Password);
        try
        {
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Crm:Email:Drops:0"] = Path.Combine(DemoMail, "mbox"),
                ["Crm:Email:StaffDomains:0"] = "shop.example",
                ["Crm:Email:Imap:Accounts:0:Name"] = "support",
                ["Crm:Email:Imap:Accounts:0:Host"] = "127.0.0.1",
                ["Crm:Email:Imap:Accounts:0:Port"] = server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Crm:Email:Imap:Accounts:0:Tls"] = "None",
                ["Crm:Email:Imap:Accounts:0:User"] = DovecotServer.User,
                ["Crm:Email:Imap:Accounts:0:PasswordEnvironmentVariable"] = passwordVariable,
            }).Build();
            await using var services = new ServiceCollection()
                .AddLogging()
                .AddSingleton(db)
                .AddCrmPipeline(configuration)
                .BuildServiceProvider();
            var stage = services.GetServices<IPipelineStage>().Single(s => s.Name == "email");
            var context = new StageContext(Guid.NewGuid(), "manual", NullProgressSink.Instance);

            var first = await stage.RunAsync(context, CancellationToken.None);
            var second = await stage.RunAsync(context, CancellationToken.None);

            // The demo mbox holds 3 messages; the mailbox 2.
            Assert.Equal(5, first.RowsRead);
            Assert.Equal(5, first.RowsWritten);
            Assert.Equal(0, second.RowsWritten);
            Assert.Equal(5, await db.ScalarAsync<int>("select count(*) from core.email"));
        }
        finally
        {
            Environment.SetEnvironmentVariable(passwordVariable, null);
        }
    }

    [Fact]
    public void EmailOptions_WithAnIncompleteAccount_FailNamingEachSetting()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Crm:Email:Imap:Accounts:0:Name"] = "support",
            ["Crm:Email:Imap:Accounts:0:BatchSize"] = "0",
        }).Build();
        using var services = new ServiceCollection().AddLogging().AddSingleton(NpgsqlDataSource.Create("Host=127.0.0.1")).AddCrmPipeline(configuration).BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptionsMonitor<EmailOptions>>().CurrentValue);

        Assert.Contains("Crm:Email:Imap:Accounts:0:Host is required.", error.Failures);
        Assert.Contains("Crm:Email:Imap:Accounts:0:BatchSize must be 1-100000 (got 0).", error.Failures);
        Assert.Contains(error.Failures, f => f.Contains("PasswordEnvironmentVariable", StringComparison.Ordinal));
    }

    [Fact]
    public async Task IngestEmailCommand_PrintsOneLinePerUnit_AndTheTotalsLast()
    {
        await using var server = await DovecotServer.StartAsync();
        await server.AppendAsync("INBOX", Enumerable.Range(1, 2).Select(n => EmailTestKit.Message(n)));
        var connection = await cluster.CreateDatabaseAsync("email_cli");
        var config = Path.Combine(_temp, "email.json");
        await File.WriteAllTextAsync(config, JsonSerializer.Serialize(new
        {
            Crm = new
            {
                Email = new
                {
                    StaffDomains = new[] { "shop.example" },
                    Imap = new { Accounts = new[] { new { Name = "support", Host = "127.0.0.1", server.Port, Tls = "None", User = DovecotServer.User, Password = DovecotServer.Password } } },
                },
            },
        }));
        var eml = Path.Combine(DemoMail, "eml");

        var (exit, output) = await CrmProcess.RunAsync(connection, _temp, TimeSpan.FromMinutes(3), "--config", config, "ingest", "email", eml, "imap:support");
        var (exitAgain, outputAgain) = await CrmProcess.RunAsync(connection, _temp, TimeSpan.FromMinutes(3), "--config", config, "ingest", "email", eml, "imap:support");

        Assert.True(exit == 0, output);
        var lines = output.Trim().Split('\n').Select(l => l.Trim()).ToList();
        // 7 .eml files and one IMAP batch, then the totals.
        Assert.Equal(Directory.GetFiles(eml).Length + 1 + 1, lines.Count);
        Assert.Equal("read 9, loaded 9, quarantined 0, duplicate 0", lines[^1]);
        Assert.True(exitAgain == 0, outputAgain);
        Assert.Equal("read 0, loaded 0, quarantined 0, duplicate 0", outputAgain.Trim().Split('\n')[^1].Trim());
        Assert.DoesNotContain(DovecotServer.Password, output + outputAgain, StringComparison.Ordinal);
    }
}
