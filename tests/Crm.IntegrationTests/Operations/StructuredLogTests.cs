using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Crm.IntegrationTests.Infrastructure;
using Npgsql;

namespace Crm.IntegrationTests.Operations;

/// <summary>
/// JSON logs of a real <c>crm run</c>: every line a pipeline component writes during a stage carries
/// the run id, and no configured secret (database, IMAP or SMTP password) ever reaches the log,
/// not even when a connection using it fails.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class StructuredLogTests(PostgresCluster cluster) : IDisposable
{
    private const string ImapSecret = "imap-pw-K9f3ss";
    private const string SmtpSecret = "smtp-pw-P4m8zz";

    private readonly string _dir = Directory.CreateTempSubdirectory("crm-logs-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task JsonLogs_CarryTheRunIdOnEveryPipelineLine_AndNoSecret()
    {
        var connection = await cluster.CreateDatabaseAsync("structured_logs");
        var dbSecret = new NpgsqlConnectionStringBuilder(connection).Password;
        Assert.False(string.IsNullOrEmpty(dbSecret));
        await using var ds = NpgsqlDataSource.Create(connection);
        var orders = Path.Combine(_dir, "orders");
        Directory.CreateDirectory(orders);
        File.Copy(Path.Combine(TestData.RepositoryRoot, "src", "Crm.Worker", "demo", "orders", "shop-2026-11-20.csv"), Path.Combine(orders, "shop-2026-11-20.csv"));
        await File.WriteAllTextAsync(Path.Combine(orders, "shop-2026-11-21.csv"), "order_id,order_date,customer_id,email,name,line_number,sku,quantity,unit_price,currency,status\nX-1,not a date,C-9,x@example.com,X,1,S,1,2.50,EUR,paid\n");

        var closedPort = FreePort.Next();
        var config = Path.Combine(_dir, "crm.json");
        await File.WriteAllTextAsync(config, $$"""
            {
              "Crm": {
                "Logging": { "Json": true, "Level": "Information" },
                "Orders": { "Feeds": [ {
                  "Name": "shop", "Folder": "{{orders}}", "Pattern": "shop-*.csv", "Format": "csv",
                  "Columns": { "order_id": "order_id", "order_date": "order_date", "customer_id": "customer_id", "email": "email",
                               "name": "name", "line_number": "line_number", "sku": "sku", "quantity": "quantity",
                               "unit_price": "unit_price", "currency": "currency", "status": "status" },
                  "StatusMap": { "paid": "ordered" }, "DefaultCurrency": "EUR" } ] },
                "Email": { "Imap": { "Accounts": [ {
                  "Name": "support", "Host": "127.0.0.1", "Port": {{closedPort}}, "Tls": "None", "User": "support",
                  "Password": "{{ImapSecret}}", "Folders": [ "INBOX" ], "TimeoutSeconds": 5, "MaxAttempts": 2, "RetryDelayMilliseconds": 100 } ] } },
                "Reports": { "Smtp": { "Host": "127.0.0.1", "Port": {{closedPort}}, "User": "reports", "Password": "{{SmtpSecret}}" } }
              }
            }
            """);

        var ordersRun = await CrmProcess.RunAsync(connection, _dir, TimeSpan.FromMinutes(2), "run", "orders", "--config", config);
        Assert.True(ordersRun.ExitCode == 0, ordersRun.Output);
        var emailRun = await CrmProcess.RunAsync(connection, _dir, TimeSpan.FromMinutes(2), "run", "email", "--config", config);
        var output = ordersRun.Output + "\n" + emailRun.Output;

        foreach (var secret in new[] { dbSecret, ImapSecret, SmtpSecret })
        {
            Assert.DoesNotContain(secret, output, StringComparison.Ordinal);
        }

        var runIds = new List<string>();
        await using (var command = ds.CreateCommand("select run_id::text from ops.pipeline_run order by started_at"))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                runIds.Add(reader.GetString(0));
            }
        }

        Assert.Equal(2, runIds.Count);
        var pipelineLines = output.Split('\n')
            .Where(l => l.StartsWith('{'))
            .Select(l => JsonDocument.Parse(l).RootElement)
            .Where(e => e.GetProperty("Category").GetString()!.StartsWith("Crm.", StringComparison.Ordinal))
            .ToList();

        // Started and finished of the orders stage, started and the failure (or success) of the email stage, at least.
        Assert.True(pipelineLines.Count >= 4, output);
        foreach (var line in pipelineLines)
        {
            var scopes = line.TryGetProperty("Scopes", out var s) ? s.EnumerateArray().ToList() : [];
            var runId = scopes.Where(x => x.ValueKind == JsonValueKind.Object && x.TryGetProperty("RunId", out _))
                .Select(x => x.GetProperty("RunId").GetString()).FirstOrDefault();
            Assert.True(runId is not null && runIds.Contains(runId), $"a pipeline log line without the run id: {line}");
        }

        // Both runs logged, each under its own id.
        Assert.Equal(runIds.Order(), pipelineLines.Select(l => l.GetProperty("Scopes").EnumerateArray()
            .First(x => x.ValueKind == JsonValueKind.Object && x.TryGetProperty("RunId", out _)).GetProperty("RunId").GetString()!).Distinct().Order());
    }
}
