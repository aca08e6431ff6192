using Crm.IntegrationTests.Infrastructure;
using Crm.Pipeline.Reports;
using Microsoft.Playwright;
using Npgsql;

namespace Crm.IntegrationTests.Dashboard;

/// <summary>
/// Issue 19, the Models and Reports pages in headless Chromium under the dashboard's CSP: the AUC-per-training chart,
/// each model's AUC, ECE, backtest per cutoff and feature importance, and the deliveries-per-day chart hold the seeded
/// numbers, and the charts' CSV links give the same numbers; at 1024 px the two-line menu leaves the page title visible.
/// </summary>
[Collection(HostCollection.Name)]
public sealed class ModelsAndReportsBrowserTests(PostgresCluster cluster) : IAsyncLifetime
{
    private DashboardHost _host = null!;

    public async Task InitializeAsync() => _host = await DashboardHost.StartAsync(cluster, "modelcharts", s => s["Crm:Scheduler:Enabled"] = "false");

    public Task DisposeAsync() => _host.DisposeAsync().AsTask();

    [Fact]
    public async Task TheChartsAndTheModelDetailsHoldTheSeededNumbers_AndTheCsvGivesTheSameNumbers()
    {
        await using var ds = NpgsqlDataSource.Create(_host.ConnectionString);
        // Two trainings as the churn trainer records them (snake_case, NaN as a string): the first night's champion is
        // unknown, the second night's is the first night's lightgbm model.
        await ds.ExecuteAsync(
            """
            insert into ml.model (kind, version, trainer, status, created_at, metrics) values
              ('churn', 'churn-20261101-lightgbm', 'lightgbm', 'champion', '2026-11-01T03:00:00Z',
               '{"auc": 0.71, "latest_auc": 0.74, "champion_auc": null,
                 "backtest_mean_auc": {"lightgbm": 0.71, "bgnbd": 0.66},
                 "backtest": [
                   {"cutoff": "2026-09-01", "model": "lightgbm", "train_rows": 900, "metrics": {"count": 400, "roc_auc": 0.68, "brier": 0.2, "expected_calibration_error": 0.05}},
                   {"cutoff": "2026-09-01", "model": "bgnbd", "train_rows": 0, "metrics": {"count": 400, "roc_auc": 0.66, "brier": 0.22, "expected_calibration_error": "NaN"}},
                   {"cutoff": "2026-10-01", "model": "lightgbm", "train_rows": 950, "metrics": {"count": 420, "roc_auc": 0.74, "brier": 0.19, "expected_calibration_error": 0.03}}],
                 "feature_importance": {"recency_days": 0.12, "frequency": 0.3, "monetary": -0.05}}'),
              ('churn', 'churn-20261102-fasttree', 'fasttree', 'rejected', '2026-11-02T03:00:00Z',
               '{"auc": 0.69, "latest_auc": 0.7, "champion_auc": 0.72,
                 "backtest_mean_auc": {"fasttree": 0.69, "lightgbm": 0.72, "bgnbd": "NaN"},
                 "backtest": [{"cutoff": "2026-10-02", "model": "fasttree", "train_rows": 990, "metrics": {"count": 430, "roc_auc": 0.7, "brier": 0.21, "expected_calibration_error": 0.08}}]}');
            insert into ops.report_delivery (report, period_key, period_start, period_end, recipient, message_id, status, sent_at, updated_at) values
              ('manager-summary', 'daily:2026-11-01', '2026-11-01', '2026-11-01', 'a@example.com', 'm1', 'sent', '2026-11-02T06:00:00Z', '2026-11-02T06:00:00Z'),
              ('manager-summary', 'daily:2026-11-01', '2026-11-01', '2026-11-01', 'b@example.com', 'm2', 'sent', '2026-11-02T06:00:01Z', '2026-11-02T06:00:01Z'),
              ('manager-summary', 'daily:2026-11-01', '2026-11-01', '2026-11-01', 'c@example.com', 'm3', 'failed', null, '2026-11-02T06:00:02Z'),
              ('manager-summary', 'daily:2026-11-02', '2026-11-02', '2026-11-02', 'c@example.com', 'm4', 'permanent-failure', null, '2026-11-03T06:00:00Z');
            insert into ops.pipeline_run (run_id, kind, status, started_at, finished_at) values
              ('00000000-0000-0000-0000-0000000000a1', 'manual', 'succeeded', '2026-11-02T07:00:00Z', '2026-11-02T07:00:05Z');
            """);
        // An hour later the reports stage ran again: the three recipients' reports were already sent (or failed for
        // good), so it sent nothing; its summary is written as the stage writes it.
        var skips = new ReportRunSummary(
            [.. new[] { "a", "b", "c" }.Select(r => new RecipientOutcome(r + "@example.com", "daily:2026-11-01", "skipped", "already sent", null, null, null))]);
        await ds.ExecuteAsync(
            $"""
            insert into ops.pipeline_stage (run_id, stage, status, started_at, finished_at, detail)
            values ('00000000-0000-0000-0000-0000000000a1', 'reports', 'succeeded', '2026-11-02T07:00:00Z', '2026-11-02T07:00:05Z',
                    jsonb_build_object('summary', '{skips}'));
            """);

        await using (var browser = await Browser.OpenAsync())
        {
            var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1024, Height = 800 } });
            var blocked = DashboardPage.CspViolations(page);
            await DashboardPage.SignInAsync(page, _host.BaseUrl, "vic", "viewer-pass");

            Assert.Equal(200, (await page.GotoAsync(_host.BaseUrl + "/hangfire/models"))!.Status);
            // At 1024 px the menu takes two lines (Hangfire's body padding leaves room for one); the title starts below it.
            Assert.True(await page.EvaluateAsync<double>("() => document.querySelector('.navbar').getBoundingClientRect().height") > 80);
            Assert.True(await page.EvaluateAsync<bool>(
                "() => document.querySelector('h1.page-header').getBoundingClientRect().top >= document.querySelector('.navbar').getBoundingClientRect().bottom"));
            await page.EvaluateAsync("() => document.querySelectorAll('details').forEach(d => d.open = true)");
            await DashboardPage.ScreenshotsAsync(page, "models");
            // Series: the champion first, then the trainers by name; one dot per training that has the number.
            Assert.Equal("champion:0.72|bgnbd:0.66|fasttree:0.69|lightgbm:0.71|lightgbm:0.72", await Dots(page, "#crm-chart-auc"));
            Assert.True(await page.EvaluateAsync<double>("() => document.querySelector('#crm-chart-auc').getBoundingClientRect().height") > 50);
            // The models table: mean AUC, latest AUC and the ECE at the trainer's latest cutoff.
            Assert.Equal("churn-20261102-fasttree|0.69|0.7|0.08;churn-20261101-lightgbm|0.71|0.74|0.03", await page.EvaluateAsync<string>(
                """
                () => [...document.querySelectorAll('#crm-models tbody tr')].map(r => {
                  const c = [...r.children].map(td => td.textContent.trim());
                  return [c[0], c[3], c[4], c[5]].join('|'); }).join(';')
                """));
            Assert.Equal("2026-09-01 0.68 0.05|2026-10-01 0.74 0.03", await page.EvaluateAsync<string>(
                "() => [...document.querySelectorAll('#model-churn-20261101-lightgbm .crm-backtest tbody tr')].map(r => [...r.children].slice(0, 3).map(td => td.textContent).join(' ')).join('|')"));
            Assert.Equal("frequency 0.3|recency_days 0.12|monetary -0.05", await page.EvaluateAsync<string>(
                "() => [...document.querySelectorAll('#model-churn-20261101-lightgbm .crm-importance tbody tr')].map(r => [...r.children].slice(0, 2).map(td => td.textContent).join(' ')).join('|')"));
            var auc = await (await page.APIRequest.GetAsync(_host.BaseUrl + "/hangfire/models/auc.csv")).TextAsync();
            Assert.Equal(
                "trained_at,version,model,auc\n"
                + "2026-11-01T03:00:00Z,churn-20261101-lightgbm,bgnbd,0.66\n2026-11-01T03:00:00Z,churn-20261101-lightgbm,lightgbm,0.71\n"
                + "2026-11-02T03:00:00Z,churn-20261102-fasttree,champion,0.72\n2026-11-02T03:00:00Z,churn-20261102-fasttree,fasttree,0.69\n2026-11-02T03:00:00Z,churn-20261102-fasttree,lightgbm,0.72\n",
                auc);

            await page.SetViewportSizeAsync(1024, 800);
            Assert.Equal(200, (await page.GotoAsync(_host.BaseUrl + "/hangfire/reports"))!.Status);
            await DashboardPage.ScreenshotsAsync(page, "reports");
            // The deliveries table is stacked on a phone: nothing wider than the screen.
            await page.SetViewportSizeAsync(390, 844);
            Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"),
                await page.EvaluateAsync<string>("() => `page ${document.documentElement.scrollWidth} px wide, table ${document.querySelector('#crm-reports').getBoundingClientRect().width} px`"));
            Assert.Equal("status: sent", await page.EvaluateAsync<string>(
                "() => { const td = document.querySelector('#crm-reports td[data-label=status]'); return getComputedStyle(td, '::before').content.replaceAll('\"', '') + td.textContent; }"));
            // 2 November: two sent, three skipped and one failed; 3 November: one failed for good.
            Assert.Equal("2026-11-02 sent 2|2026-11-02 skipped 3|2026-11-02 failed 1|2026-11-03 permanent-failure 1", await page.EvaluateAsync<string>(
                "() => [...document.querySelectorAll('#crm-chart-deliveries rect[data-value]')].map(r => `${r.dataset.category} ${r.dataset.series} ${r.dataset.value}`).join('|')"));
            var deliveries = await (await page.APIRequest.GetAsync(_host.BaseUrl + "/hangfire/reports/deliveries.csv")).TextAsync();
            Assert.Equal("day,sent,skipped,failed,permanent-failure,pending\n2026-11-02,2,3,1,0,0\n2026-11-03,0,0,0,1,0\n", deliveries);
            Assert.Empty(blocked);
        }
    }

    /// <summary>A line chart's dots as series:value, in drawing order (series by series, left to right).</summary>
    private static Task<string> Dots(IPage page, string chart) =>
        page.EvaluateAsync<string>($"() => [...document.querySelectorAll('{chart} circle[data-value]')].map(c => `${{c.dataset.series}}:${{c.dataset.value}}`).join('|')");
}
