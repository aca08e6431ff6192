using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using Crm.IntegrationTests.Infrastructure;
using MimeKit;
using Npgsql;
using Xunit.Abstractions;

namespace Crm.IntegrationTests.Reports;

/// <summary>
/// The demo's two manager emails (#18), from one real <c>crm demo</c> run: rendered in Debian's Chromium at
/// desktop and phone width in both languages with every section filled; built only from what mail clients
/// support; and the figures of the headline, at-risk and risk-rise sections computed here with SQL of the
/// test's own over the warehouse the demo filled.
/// </summary>
[Collection(DemoCollection.Name)]
public sealed partial class DemoCompanyReportTests(PostgresCluster cluster, ITestOutputHelper output)
{
    private static readonly CultureInfo En = CultureInfo.GetCultureInfo("en-US");

    [Fact]
    public async Task DemoReports_InChromiumAtDesktopAndPhoneWidth_InEnglishAndChinese_FillEverySection()
    {
        var run = await DemoCompanyRun.GetAsync(cluster);
        var (_, fonts) = await ToolAsync("fc-list", ":lang=zh", "family");
        Assert.True(fonts.Trim().Length > 0, "no font with Chinese glyphs (fc-list :lang=zh is empty): install fonts-noto-cjk");
        output.WriteLine("CJK fonts: " + fonts.Split('\n')[0]);

        foreach (var (html, language, name) in new[] { (run.MonthlyHtml, "en", "demo-company-en"), (run.WeeklyHtml, "zh", "demo-company-zh") })
        {
            var labels = Labels(language);
            var sections = new[] { "highlights", "headline", "trend_revenue", "trend_churn", "segment_mix", "at_risk_title", "risers_title", "actions_title", "data_health", "model_health" };
            var empty = EmptyStateTexts(labels);
            foreach (var r in await ReportBrowser.ScreenshotAsync(html, name, 1024, 390))
            {
                output.WriteLine($"{language} {r.Width}px: {r.ScreenshotPath}");
                Assert.True(new FileInfo(r.ScreenshotPath).Length > 20_000, $"{r.ScreenshotPath} is nearly empty");
                Assert.True(r.ScrollWidth <= r.Width, $"{language}: page is {r.ScrollWidth}px wide at a {r.Width}px viewport");
                Assert.DoesNotContain(labels["none"], r.Text, StringComparison.Ordinal);
                Assert.Equal(4, r.ImageInk.Length);
                Assert.All(r.ImageInk, ink => Assert.True(ink > 0.02, $"{language} {r.Width}px: a chart looks blank ({ink:P1} inked)"));

                var at = 0;
                for (var i = 0; i < sections.Length; i++)
                {
                    var title = labels[sections[i]];
                    var start = r.Text.IndexOf(title, at, StringComparison.Ordinal);
                    Assert.True(start >= 0, $"{language} {r.Width}px: section '{title}' is missing");
                    var end = i + 1 < sections.Length ? r.Text.IndexOf(labels[sections[i + 1]], start + title.Length, StringComparison.Ordinal) : r.Text.Length;
                    Assert.True(end > start, $"{language} {r.Width}px: section after '{title}' is missing");
                    var body = r.Text[(start + title.Length)..end];
                    foreach (var e in empty)
                    {
                        Assert.False(body.Contains(e, StringComparison.Ordinal), $"{language} {r.Width}px: section '{title}' shows its empty state: {e}");
                    }

                    // Charts are checked by their ink; every other section has figures.
                    if (!sections[i].StartsWith("trend_", StringComparison.Ordinal) && sections[i] != "segment_mix")
                    {
                        Assert.True(body.Any(char.IsDigit), $"{language} {r.Width}px: section '{title}' has no figures: {body}");
                    }

                    at = start + title.Length;
                }
            }
        }
    }

    [Fact]
    public async Task DemoEmails_UseOnlyWhatMailClientsSupport_AndThePlainTextHasTheHeadlineFigures()
    {
        var run = await DemoCompanyRun.GetAsync(cluster);
        foreach (var (message, language) in new[] { (run.MonthlyMessage, "en"), (run.WeeklyMessage, "zh") })
        {
            var html = message.HtmlBody;
            Assert.NotNull(html);
            var problems = MailHtml.Problems(html, message.BodyParts.OfType<MimePart>().Select(p => p.ContentId).Where(id => id is not null).ToHashSet()!);
            Assert.True(problems.Count == 0, $"{language}: {string.Join("; ", problems)}");
            // Gmail clips a message whose HTML is over about 102 kB.
            Assert.True(Encoding.UTF8.GetByteCount(html) < 100_000, $"{language}: HTML is {Encoding.UTF8.GetByteCount(html):N0} bytes");

            var text = message.TextBody;
            Assert.NotNull(text);
            var labels = Labels(language);
            var doc = new HtmlParser().ParseDocument(html);
            foreach (var key in new[] { "revenue", "orders", "aov", "active_customers", "new_customers", "churned", "churn_rate", "retention", "clv_active" })
            {
                var cells = HeadlineRow(doc, labels[key]);
                foreach (var figure in cells)
                {
                    Assert.True(text.Contains(figure, StringComparison.Ordinal), $"{language}: the plain text lacks '{figure}' of {labels[key]}");
                }
            }

            foreach (var section in new[] { "at_risk_title", "risers_title", "actions_title", "data_health", "model_health" })
            {
                Assert.Contains(labels[section], text, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task DemoMonthlyReport_HeadlineAtRiskAndRiskRiseFigures_MatchTheWarehouseByTheTestsOwnSql()
    {
        var run = await DemoCompanyRun.GetAsync(cluster);
        await using var ds = run.DataSource();
        var doc = new HtmlParser().ParseDocument(run.MonthlyMessage.HtmlBody!);
        var labels = Labels("en");

        // May 2026 in New York; amounts in EUR at the demo's rates (units per euro).
        var rates = (JsonObject)JsonNode.Parse(File.ReadAllText(Path.Combine(TestData.RepositoryRoot, "src", "Crm.Worker", "demo", "company", "reports.settings.json")))!["Crm"]!["Reports"]!["ExchangeRates"]!;
        var codes = rates.Select(r => r.Key).ToArray();
        var values = rates.Select(r => (decimal)r.Value!).ToArray();
        const string Orders =
            """
            with rate(code, per_eur) as (select * from unnest(@codes::text[], @rates::numeric[]) union all select 'EUR', 1),
            ord as (
                select ci.customer_id, o.order_ts, o.total_amount / r.per_eur as eur, r.per_eur
                from core."order" o
                join rate r on r.code = upper(o.currency)
                left join core.customer_identity ci on ci.source = 'orders:' || o.feed and ci.source_customer_id = o.source_customer_id
                where o.status not in ('cancelled', 'returned')
            ),
            b as (select timestamptz '2026-05-01 00:00 America/New_York' as s, timestamptz '2026-06-01 00:00 America/New_York' as e),
            active_s as (select distinct customer_id from ord, b where customer_id is not null and order_ts >= s - interval '90 days' and order_ts < s),
            active_e as (select distinct customer_id from ord, b where customer_id is not null and order_ts >= e - interval '90 days' and order_ts < e),
            in_period as (select distinct customer_id from ord, b where customer_id is not null and order_ts >= s and order_ts < e),
            firsts as (select customer_id, min(order_ts) as first_ts from ord where customer_id is not null group by customer_id),
            last_rate as (select distinct on (customer_id) customer_id, per_eur from ord where customer_id is not null order by customer_id, order_ts desc),
            clv as (
                select distinct on (customer_id) customer_id, clv from ml.customer_value
                where computed_at <= timestamptz '2026-06-01 13:00Z' order by customer_id, computed_at desc
            )
            select (select sum(eur) from ord, b where order_ts >= s and order_ts < e),
                   (select count(*) from ord, b where order_ts >= s and order_ts < e),
                   (select count(*) from active_e),
                   (select count(*) from firsts, b where first_ts >= s and first_ts < e),
                   (select count(*) from active_s where customer_id not in (select customer_id from active_e)),
                   (select count(*) from active_s),
                   (select count(*) from active_s where customer_id in (select customer_id from in_period)),
                   (select sum(c.clv / r.per_eur) from active_e a join clv c using (customer_id) join last_rate r using (customer_id))
            """;
        await using (var command = ds.CreateCommand(Orders))
        {
            command.Parameters.AddWithValue("codes", codes);
            command.Parameters.AddWithValue("rates", values);
            await using var reader = await command.ExecuteReaderAsync();
            Assert.True(await reader.ReadAsync());
            var revenue = reader.GetDecimal(0);
            var orders = reader.GetInt64(1);
            var churned = reader.GetInt64(4);
            var atStart = reader.GetInt64(5);
            output.WriteLine($"revenue {revenue:N2} EUR, {orders} orders, {reader.GetInt64(2)} active, {churned} of {atStart} churned");
            Assert.Equal("€" + revenue.ToString("N0", En), HeadlineRow(doc, labels["revenue"])[0]);
            Assert.Equal(orders.ToString("N0", En), HeadlineRow(doc, labels["orders"])[0]);
            Assert.Equal("€" + (revenue / orders).ToString("N2", En), HeadlineRow(doc, labels["aov"])[0]);
            Assert.Equal(reader.GetInt64(2).ToString("N0", En), HeadlineRow(doc, labels["active_customers"])[0]);
            Assert.Equal(reader.GetInt64(3).ToString("N0", En), HeadlineRow(doc, labels["new_customers"])[0]);
            Assert.Equal(churned.ToString("N0", En), HeadlineRow(doc, labels["churned"])[0]);
            Assert.Equal(Percent((double)churned / atStart), HeadlineRow(doc, labels["churn_rate"])[0]);
            Assert.Equal(Percent((double)reader.GetInt64(6) / atStart), HeadlineRow(doc, labels["retention"])[0]);
            Assert.Equal("€" + reader.GetDouble(7).ToString("N0", En), HeadlineRow(doc, labels["clv_active"])[0]);
        }

        // At risk: the 15 active customers with the largest latest probability × latest CLV (in EUR by their latest order's currency).
        const string AtRisk =
            """
            with rate(code, per_eur) as (select * from unnest(@codes::text[], @rates::numeric[]) union all select 'EUR', 1),
            cust_rate as (
                select distinct on (ci.customer_id) ci.customer_id, r.per_eur
                from core."order" o
                join core.customer_identity ci on ci.source = 'orders:' || o.feed and ci.source_customer_id = o.source_customer_id
                join rate r on r.code = upper(o.currency)
                where o.status not in ('cancelled', 'returned')
                order by ci.customer_id, o.order_ts desc
            ),
            s as (select distinct on (customer_id) customer_id, probability, risk_band from ml.churn_score where scored_at <= '2026-06-01 13:00Z' order by customer_id, scored_at desc),
            v as (select distinct on (customer_id) customer_id, clv from ml.customer_value where computed_at <= '2026-06-01 13:00Z' order by customer_id, computed_at desc)
            select c.customer_id, c.customer_name, c.email, c.phone, s.probability, s.probability * coalesce(v.clv, 0) / cr.per_eur::float8 as var, s.risk_band
            from s join core.customer c using (customer_id) join cust_rate cr using (customer_id) left join v using (customer_id)
            where c.status = 'active'
            order by var desc, s.probability desc, c.customer_id
            limit 15
            """;
        var expected = new List<(long Id, string Name, string? Email, string? Phone, double P, double Var, string Band)>();
        await using (var command = ds.CreateCommand(AtRisk))
        {
            command.Parameters.AddWithValue("codes", codes);
            command.Parameters.AddWithValue("rates", values);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                expected.Add((reader.GetInt64(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3), reader.GetDouble(4), reader.GetDouble(5), reader.GetString(6)));
            }
        }

        var table = TableUnder(doc, labels["at_risk_title"]);
        Assert.Equal(expected.Count, table.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.StartsWith(expected[i].Name, table[i][0], StringComparison.Ordinal);
            // The probability, then the band the score stage gave it: the list ranks by value at risk, not by band.
            Assert.Equal(Percent(expected[i].P) + " " + labels["band_" + expected[i].Band], table[i][1]);
            Assert.StartsWith("€" + expected[i].Var.ToString("N0", En), table[i][2], StringComparison.Ordinal);
        }

        // The attached CSV starts with the same customers in the same order, with their contact details.
        var csv = run.MonthlyMessage.Attachments.OfType<MimePart>().Single();
        using var stream = new MemoryStream();
        await csv.Content!.DecodeToAsync(stream);
        var lines = Encoding.UTF8.GetString(stream.ToArray()).TrimStart('\uFEFF').Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();
        var header = lines[0].Split(',');
        Assert.Equal(["rank", "customer_id", "customer", "email", "phone"], header[..5]);
        Assert.Contains("main_drivers", header);
        for (var i = 0; i < expected.Count; i++)
        {
            var cells = CsvCells(lines[i + 1]);
            Assert.Equal((i + 1).ToString(CultureInfo.InvariantCulture), cells[0]);
            Assert.Equal(expected[i].Id.ToString(CultureInfo.InvariantCulture), cells[1]);
            Assert.Equal(expected[i].Email ?? "", cells[3]);
            Assert.Equal(expected[i].Phone ?? "", cells[4].TrimStart('\''));
            Assert.Equal(expected[i].P.ToString("0.0000", CultureInfo.InvariantCulture), cells[Array.IndexOf(header, "churn_probability")]);
        }

        Assert.True(expected.Count(e => e.Phone is not null) > 0, "no at-risk customer has a phone number in the warehouse");

        // Risk rise: now (latest score by 1 June) against the latest score by the previous report, 31 days earlier.
        const string Risers =
            """
            with n as (select distinct on (customer_id) customer_id, scored_at, probability from ml.churn_score where scored_at <= '2026-06-01 13:00Z' order by customer_id, scored_at desc),
            t as (select distinct on (customer_id) customer_id, scored_at, probability from ml.churn_score where scored_at <= '2026-05-01 13:00Z' order by customer_id, scored_at desc)
            select c.customer_name, t.probability, n.probability
            from n join t using (customer_id) join core.customer c using (customer_id)
            where c.status = 'active' and t.scored_at < n.scored_at and n.probability > t.probability
              and exists (select 1 from core.customer_identity ci join core."order" o on ci.source = 'orders:' || o.feed and ci.source_customer_id = o.source_customer_id
                          where ci.customer_id = c.customer_id and o.status not in ('cancelled', 'returned'))
            order by n.probability - t.probability desc, c.customer_id
            limit 10
            """;
        var risers = TableUnder(doc, labels["risers_title"]);
        await using (var command = ds.CreateCommand(Risers))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            var i = 0;
            while (await reader.ReadAsync())
            {
                Assert.StartsWith(reader.GetString(0), risers[i][0], StringComparison.Ordinal);
                Assert.StartsWith(Percent(reader.GetDouble(1)), risers[i][1], StringComparison.Ordinal);
                Assert.Equal(Percent(reader.GetDouble(2)), risers[i][2]);
                Assert.Equal("+" + ((reader.GetDouble(2) - reader.GetDouble(1)) * 100).ToString("0.0", En) + " pts", risers[i][3]);
                i++;
            }

            Assert.Equal(10, i);
            Assert.Equal(10, risers.Count);
        }
    }

    private static string Percent(double v) => (v * 100).ToString("0.0", En) + "%";

    /// <summary>The labels of a language, read from the resource file (not through the code under test).</summary>
    private static Dictionary<string, string> Labels(string language) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(TestData.RepositoryRoot, "src", "Crm.Pipeline", "Reports", "Labels", $"labels.{language}.resx.json")))!
            .AsObject().ToDictionary(p => p.Key, p => (string)p.Value!);

    /// <summary>The fixed start of every empty-state text ("No … yet"), which a filled section never shows.</summary>
    private static List<string> EmptyStateTexts(Dictionary<string, string> labels) =>
        labels.Where(l => (l.Key.StartsWith("no_", StringComparison.Ordinal) || l.Key.Contains("_none", StringComparison.Ordinal))
                          && l.Key is not "no_failed_jobs" and not "no_mail")
              .Select(l => l.Value.Split('{')[0].Trim())
              .Where(t => t.Length >= 6)
              .ToList();

    /// <summary>The "this period", "vs previous" and "vs year before" cells of a headline row.</summary>
    private static string[] HeadlineRow(IDocument doc, string label)
    {
        var row = doc.QuerySelectorAll("tr").Single(tr => tr.Children.Length == 4 && tr.Children[0].TextContent.Trim() == label);
        return row.Children.Skip(1).Select(c => c.TextContent.Trim()).ToArray();
    }

    /// <summary>The rows (cell texts, lines joined by a space) of the first table after a section title, without its header.</summary>
    private static List<string[]> TableUnder(IDocument doc, string title)
    {
        var heading = doc.QuerySelectorAll("div").First(d => d.TextContent.Trim() == title);
        var section = heading.Closest("tr")!;
        var next = section.NextElementSibling!;
        var table = next.QuerySelector("table")!;
        return table.QuerySelectorAll("tr").Skip(1)
            .Select(tr => tr.Children.Select(c => Regex.Replace(string.Join(" ", c.ChildNodes.Select(n => n.TextContent)), @"\s+", " ").Trim()).ToArray())
            .ToList();
    }

    private static string[] CsvCells(string line)
    {
        var cells = new List<string>();
        var sb = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"') { sb.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else sb.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { cells.Add(sb.ToString()); sb.Clear(); }
            else sb.Append(c);
        }

        cells.Add(sb.ToString());
        return cells.ToArray();
    }

    private static async Task<(int Code, string Output)> ToolAsync(string tool, params string[] args)
    {
        var info = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info)!;
        var stdout = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, stdout);
    }
}
