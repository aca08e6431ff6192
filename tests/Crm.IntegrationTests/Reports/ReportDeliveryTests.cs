using System.Globalization;
using System.Text.RegularExpressions;
using Crm.IntegrationTests.Infrastructure;
using Crm.Pipeline.Reports;
using Microsoft.Extensions.Logging.Abstractions;
using MimeKit;
using Npgsql;

namespace Crm.IntegrationTests.Reports;

/// <summary>Issue 9: the manager report over a real SMTP server (aiosmtpd on loopback), exactly once.</summary>
[Collection(PostgresCollection.Name)]
public sealed partial class ReportDeliveryTests(PostgresCluster cluster)
{
    private static readonly CultureInfo Us = CultureInfo.GetCultureInfo("en-US");

    [Fact]
    public async Task ReportOverSmtp_HasHtmlTextInlineChartsCsvAndTheWarehouseFigures()
    {
        await using var ds = await cluster.CreateMigratedDatabaseAsync("rep");
        await ReportWarehouse.FillAsync(ds);
        await using var smtp = await SmtpSink.CreateAsync();

        var summary = await ReportWarehouse.Service(ds, ReportWarehouse.Options("127.0.0.1", smtp.Port)).RunAsync(CancellationToken.None);

        Assert.Equal(1, summary.Sent);
        var message = Assert.Single(smtp.Messages());
        Assert.Equal("maria@crm.test", Assert.Single(message.To.Mailboxes).Address);
        Assert.Equal("reports@crm.test", Assert.Single(message.From.Mailboxes).Address);
        Assert.StartsWith("Monthly customer report, February 2026: revenue $595", message.Subject, StringComparison.Ordinal);
        Assert.Equal(ReportComposer.MessageId("manager-summary", "monthly:2026-02-01..2026-03-01", "maria@crm.test", "reports@crm.test"), message.MessageId);

        // HTML and text alternatives.
        var html = message.HtmlBody!;
        var text = message.TextBody!;
        Assert.NotNull(html);
        Assert.NotNull(text);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);

        // Every cid: reference in the HTML is an inline PNG part of the message, and there are four charts.
        var cids = CidPattern().Matches(html).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(4, cids.Distinct().Count());
        foreach (var cid in cids)
        {
            var part = message.BodyParts.OfType<MimePart>().Single(p => p.ContentId == cid);
            Assert.Equal("image/png", part.ContentType.MimeType);
            using var bytes = new MemoryStream();
            await part.Content!.DecodeToAsync(bytes);
            Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47 }, bytes.ToArray()[..4]);
        }

        // The figures equal independent SQL over the warehouse.
        var expected = await ExpectedFebruaryAsync(ds);
        Assert.Equal(Money(expected.Revenue), Headline(text, "Revenue")[0]);
        Assert.Equal(expected.Orders.ToString("N0", Us), Headline(text, "Orders")[0]);
        Assert.Equal(expected.Active.ToString("N0", Us), Headline(text, "Active customers")[0]);
        Assert.Equal(expected.New.ToString("N0", Us), Headline(text, "New customers")[0]);
        Assert.Equal(expected.Churned.ToString("N0", Us), Headline(text, "Churned")[0]);
        Assert.Equal(((double)expected.Churned / expected.AtStart * 100).ToString("0.0", Us) + "%", Headline(text, "Churn rate")[0]);
        Assert.Equal(((double)expected.Retained / expected.AtStart * 100).ToString("0.0", Us) + "%", Headline(text, "Retention")[0]);
        Assert.Equal(Money(expected.ClvActive), Headline(text, "CLV of active base")[0]);
        Assert.Equal("▲ +" + ((expected.Revenue - expected.RevenueYearBefore) / expected.RevenueYearBefore * 100).ToString("0.0", Us) + "%",
            Headline(text, "Revenue")[2]);
        Assert.Contains(Money(expected.Revenue), html, StringComparison.Ordinal);
        Assert.Contains("identity", text, StringComparison.Ordinal);          // the failed job
        Assert.Contains("AUC 0.780", text, StringComparison.Ordinal);         // the champion
        Assert.Contains("AUC 0.710", text, StringComparison.Ordinal);         // the one before

        // The CSV attachment: the at-risk list in the order of probability × CLV, computed here independently.
        var csv = Assert.Single(message.Attachments.OfType<MimePart>());
        Assert.Equal("at-risk-customers.csv", csv.FileName);
        using var csvBytes = new MemoryStream();
        await csv.Content!.DecodeToAsync(csvBytes);
        var lines = System.Text.Encoding.UTF8.GetString(csvBytes.ToArray()).TrimStart('\uFEFF').Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("rank,customer_id,customer,email,phone", lines[0], StringComparison.Ordinal);
        var expectedOrder = await ExpectedAtRiskOrderAsync(ds);
        Assert.Equal(expectedOrder, lines.Skip(1).Select(l => long.Parse(l.Split(',')[1], CultureInfo.InvariantCulture)).ToList());
        Assert.Contains("\"Dee, \"\"the\"\" Dean\"", lines[1], StringComparison.Ordinal);
        Assert.Contains("recency_days; email_opens", string.Join("\n", lines), StringComparison.Ordinal);

        // The archive keeps what was sent.
        Assert.Equal(1, await ds.ScalarAsync<int>("select count(*) from ops.report_delivery where status = 'sent' and eml is not null and html like '%data:image/png;base64,%'"));
    }

    [Fact]
    public async Task SmtpDownAtSendTime_IsRetriedAndDeliveredExactlyOnceWhenItReturns()
    {
        await using var ds = await cluster.CreateMigratedDatabaseAsync("rep");
        await ReportWarehouse.FillAsync(ds);
        await using var smtp = await SmtpSink.CreateAsync(start: false);
        var options = ReportWarehouse.Options("127.0.0.1", smtp.Port);
        options.Smtp.TimeoutSeconds = 10;

        var down = await ReportWarehouse.Service(ds, options).RunAsync(CancellationToken.None);
        Assert.Equal(1, down.Failed);
        Assert.Equal("failed", await ds.ScalarAsync<string>("select status from ops.report_delivery"));
        Assert.Equal(options.AttemptsPerRun, await ds.ScalarAsync<int>("select attempts from ops.report_delivery"));

        await smtp.StartAsync();
        var up = await ReportWarehouse.Service(ds, options).RunAsync(CancellationToken.None);
        var again = await ReportWarehouse.Service(ds, options).RunAsync(CancellationToken.None);

        Assert.Equal(1, up.Sent);
        Assert.Equal("skipped", Assert.Single(again.Outcomes).Status);
        Assert.StartsWith("already sent", again.Outcomes[0].Reason, StringComparison.Ordinal);
        Assert.Single(smtp.Messages());
        Assert.Equal("sent", await ds.ScalarAsync<string>("select status from ops.report_delivery"));
        Assert.Equal(options.AttemptsPerRun + 1, await ds.ScalarAsync<int>("select attempts from ops.report_delivery"));
    }

    [Fact]
    public async Task TwoNodesInParallelAndARestart_SendOneEmailPerRecipient()
    {
        await using var ds = await cluster.CreateMigratedDatabaseAsync("rep");
        await ReportWarehouse.FillAsync(ds);
        await using var smtp = await SmtpSink.CreateAsync();
        var options = ReportWarehouse.Options("127.0.0.1", smtp.Port, null,
            ReportWarehouse.Manager("maria@crm.test"), ReportWarehouse.Manager("li@crm.test", "zh"));

        // Two worker nodes: separate services over separate connection pools, started together.
        var database = new NpgsqlConnectionStringBuilder(ds.ConnectionString).Database;
        await using var other = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(cluster.Server.ConnectionString) { Database = database }.ConnectionString);
        var nodeA = ReportWarehouse.Service(ds, options);
        var nodeB = ReportWarehouse.Service(other, options);
        var results = await Task.WhenAll(
            Task.Run(() => nodeA.RunAsync(CancellationToken.None)),
            Task.Run(() => nodeB.RunAsync(CancellationToken.None)));
        // A restart: a fresh service (new node id) runs again.
        var restarted = await ReportWarehouse.Service(ds, options).RunAsync(CancellationToken.None);

        Assert.Equal(2, results.Sum(r => r.Sent));
        Assert.Equal(0, restarted.Sent);
        var messages = smtp.Messages();
        Assert.Equal(2, messages.Count);
        Assert.Equal(["li@crm.test", "maria@crm.test"], messages.Select(m => m.To.Mailboxes.Single().Address).Order().ToArray());
        Assert.Contains(messages, m => m.Subject!.StartsWith("每月客户报告", StringComparison.Ordinal));
        Assert.Equal(2, await ds.ScalarAsync<int>("select count(*) from ops.report_delivery where status = 'sent'"));
    }

    [Fact]
    public async Task PermanentRejection_IsRecordedAndNotRetried()
    {
        await using var ds = await cluster.CreateMigratedDatabaseAsync("rep");
        await ReportWarehouse.FillAsync(ds);
        await using var smtp = await SmtpSink.CreateAsync(true, "gone@crm.test");
        var options = ReportWarehouse.Options("127.0.0.1", smtp.Port, null, ReportWarehouse.Manager("gone@crm.test"));

        var first = await ReportWarehouse.Service(ds, options).RunAsync(CancellationToken.None);
        var second = await ReportWarehouse.Service(ds, options).RunAsync(CancellationToken.None);

        Assert.StartsWith("permanent", Assert.Single(first.Outcomes).Reason, StringComparison.Ordinal);
        Assert.Equal("skipped", Assert.Single(second.Outcomes).Status);
        Assert.Equal("permanent-failure", await ds.ScalarAsync<string>("select status from ops.report_delivery"));
        Assert.Equal(1, await ds.ScalarAsync<int>("select attempts from ops.report_delivery"));
        Assert.Contains("550", await ds.ScalarAsync<string>("select error from ops.report_delivery"), StringComparison.Ordinal);
        Assert.Empty(smtp.Messages());
    }

    [Fact]
    public async Task NoSmtpConfigured_WritesTheOutboxAndAnAdminResendIsANewMarkedDelivery()
    {
        await using var ds = await cluster.CreateMigratedDatabaseAsync("rep");
        await ReportWarehouse.FillAsync(ds);
        var options = ReportWarehouse.Options();

        var summary = await ReportWarehouse.Service(ds, options).RunAsync(CancellationToken.None);

        Assert.Equal(2, summary.WrittenFiles.Count);
        var eml = summary.WrittenFiles.Single(f => f.EndsWith(".eml", StringComparison.Ordinal));
        var html = summary.WrittenFiles.Single(f => f.EndsWith(".html", StringComparison.Ordinal));
        Assert.StartsWith(Path.GetFullPath(options.Outbox), eml, StringComparison.Ordinal);
        var message = await MimeMessage.LoadAsync(eml);
        Assert.Equal("maria@crm.test", message.To.Mailboxes.Single().Address);
        Assert.Contains("data:image/png;base64,", await File.ReadAllTextAsync(html), StringComparison.Ordinal);

        var archive = new ReportArchive(ds, new FixedOptions<ReportsOptions>(options));
        var original = Assert.Single(await archive.ListAsync(10, CancellationToken.None));
        var resendId = await archive.ResendAsync(original.DeliveryId, "admin@crm.test", CancellationToken.None);
        var list = await archive.ListAsync(10, CancellationToken.None);

        Assert.Equal(2, list.Count);
        var resend = list.Single(d => d.DeliveryId == resendId);
        Assert.Equal(original.DeliveryId, resend.ResendOf);
        Assert.Equal("admin@crm.test", resend.RequestedBy);
        Assert.Equal("sent", resend.Status);
        Assert.NotEqual(original.MessageId, resend.MessageId);
        var resent = await MimeMessage.LoadAsync(resend.EmlPath!);
        Assert.Equal("<" + original.MessageId + ">", resent.Headers["X-Crm-Resend-Of"]);
        Assert.Equal(message.Subject, resent.Subject);
        Assert.NotNull(await archive.GetHtmlAsync(resendId, CancellationToken.None));
        Directory.Delete(options.Outbox, recursive: true);
    }

    private static string Money(decimal v) => "$" + v.ToString("N0", Us);

    /// <summary>The cells after the label on the headline row of the text part: value, vs previous, vs year before.</summary>
    private static string[] Headline(string text, string label)
    {
        var line = text.Split('\n').Select(l => l.TrimEnd('\r')).First(l => l.StartsWith(label + "  ", StringComparison.Ordinal));
        return MultiSpace().Split(line.Trim()).Skip(1).ToArray();
    }

    private sealed record February(decimal Revenue, long Orders, long Active, long New, long AtStart, long Churned, long Retained, decimal ClvActive, decimal RevenueYearBefore);

    /// <summary>February 2026 by plain SQL written for this test (not the report's queries).</summary>
    private static async Task<February> ExpectedFebruaryAsync(NpgsqlDataSource ds)
    {
        const string mapped = """
            (select ci.customer_id, o.order_ts from core."order" o
             join core.customer_identity ci on ci.source = 'orders:' || o.feed and ci.source_customer_id = o.source_customer_id
             where o.status = 'ordered')
            """;
        var revenue = await ds.ScalarAsync<decimal>("select sum(total_amount) from core.\"order\" where status = 'ordered' and order_ts >= '2026-02-01' and order_ts < '2026-03-01'");
        var revenueYb = await ds.ScalarAsync<decimal>("select sum(total_amount) from core.\"order\" where status = 'ordered' and order_ts >= '2025-02-01' and order_ts < '2025-03-01'");
        var orders = await ds.ScalarAsync<long>("select count(*) from core.\"order\" where status = 'ordered' and order_ts >= '2026-02-01' and order_ts < '2026-03-01'");
        var atStartSet = $"select distinct customer_id from {mapped} m where order_ts >= timestamptz '2026-02-01' - interval '90 days' and order_ts < '2026-02-01'";
        var atEndSet = $"select distinct customer_id from {mapped} m where order_ts >= timestamptz '2026-03-01' - interval '90 days' and order_ts < '2026-03-01'";
        var inFebSet = $"select distinct customer_id from {mapped} m where order_ts >= '2026-02-01' and order_ts < '2026-03-01'";
        var active = await ds.ScalarAsync<long>($"select count(*) from ({atEndSet}) x");
        var atStart = await ds.ScalarAsync<long>($"select count(*) from ({atStartSet}) x");
        var churned = await ds.ScalarAsync<long>($"select count(*) from ({atStartSet} except {atEndSet}) x");
        var retained = await ds.ScalarAsync<long>($"select count(*) from ({atStartSet} intersect {inFebSet}) x");
        var newCustomers = await ds.ScalarAsync<long>($"select count(*) from (select customer_id from {mapped} m group by customer_id having min(order_ts) >= '2026-02-01' and min(order_ts) < '2026-03-01') x");
        var clv = await ds.ScalarAsync<decimal>(
            $"select sum(v.clv) from ({atEndSet}) a join ml.customer_value v on v.customer_id = a.customer_id " +
            "where v.computed_at = (select max(computed_at) from ml.customer_value w where w.customer_id = v.customer_id)");
        return new February(revenue, orders, active, newCustomers, atStart, churned, retained, clv, revenueYb);
    }

    private static async Task<List<long>> ExpectedAtRiskOrderAsync(NpgsqlDataSource ds)
    {
        await using var command = ds.CreateCommand(
            """
            select s.customer_id from ml.churn_score s
            join ml.customer_value v on v.customer_id = s.customer_id
            where s.scored_at = (select max(scored_at) from ml.churn_score t where t.customer_id = s.customer_id)
              and v.computed_at = (select max(computed_at) from ml.customer_value w where w.customer_id = v.customer_id)
            order by s.probability * v.clv desc
            """);
        var ids = new List<long>();
        await using var r = await command.ExecuteReaderAsync();
        while (await r.ReadAsync())
        {
            ids.Add(r.GetInt64(0));
        }

        return ids;
    }

    [GeneratedRegex("src=\"cid:([^\"]+)\"")]
    private static partial Regex CidPattern();

    [GeneratedRegex(@"\s{2,}")]
    private static partial Regex MultiSpace();
}
