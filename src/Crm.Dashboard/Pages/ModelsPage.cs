using System.Globalization;
using Crm.Dashboard.Charts;
using Crm.Pipeline.Display;

namespace Crm.Dashboard.Pages;

/// <summary>
/// Models: the AUC of every competing trainer and of the champion per training (a server-drawn SVG chart with its CSV),
/// every trained churn model with its AUC, latest-cutoff AUC and calibration (ECE), the champion, and why others were
/// not promoted; per model its backtest per cutoff and its feature importance. Admins promote a model or roll back to
/// the previous champion (<see cref="AdminCommands"/>).
/// </summary>
internal sealed class ModelsPage : CrmPage
{
    public ModelsPage()
        : base("Models")
    {
    }

    protected override void Render()
    {
        WriteLiteral("<p>Each nightly retrain produces a challenger; it replaces the champion only if it is better on the latest backtest cutoff. Admins can promote any model or roll back to the previous champion here (or with <code>./crm churn promote VERSION</code> / <code>./crm churn rollback</code>).</p>");
        if (!IsReadOnly)
        {
            WriteLiteral($"<p><button class=\"btn btn-sm btn-warning\" id=\"rollback\" data-ajax=\"{Url.To("/models/rollback")}\" data-confirm=\"Retire the champion and reinstate the previous one?\" data-loading-text=\"Rolling back…\">Roll back to the previous champion</button></p>");
        }

        var trainings = ModelData.TrainingAucs(Warehouse);
        var names = trainings.SelectMany(t => t.Auc.Keys).Distinct().Order(StringComparer.Ordinal)
            .OrderBy(n => n == ModelData.Champion ? 0 : 1).ToList();
        var series = names.Select(n => (n, trainings.Select(t => t.Auc.TryGetValue(n, out var auc) ? auc : double.NaN).ToArray())).ToList();
        var all = series.SelectMany(s => s.Item2).Where(double.IsFinite).DefaultIfEmpty(0.5).ToList();
        WriteLiteral("<h3>AUC per training</h3><p>Each night every trainer is backtested on the same cutoffs; the best challenges the champion, whose AUC on those cutoffs is the <em>champion</em> line. Hover a dot for its number.</p>");
        WriteLiteral(SvgLineChart.Lines(
            "crm-chart-auc", "Mean backtest AUC per trainer and of the champion, per training", "AUC",
            // To the minute (yyyy-MM-ddTHH:mm and the zone): with the seconds the slanted label ran off the chart's left edge.
            trainings.Select(t => DisplayTime.Format(t.CreatedAt, DisplayZone).Remove(16, 3)).ToList(),
            series, Math.Min(0.5, Math.Floor(all.Min() * 10) / 10), Math.Max(1.0, Math.Ceiling(all.Max() * 10) / 10)));
        WriteLiteral($"<p><a href=\"{Url.To("/models/auc.csv")}\" id=\"crm-auc-csv\">Numbers as CSV</a> (trained at, version, model, AUC)</p>");

        WriteLiteral("<h3>Models</h3><p><em>auc</em> is the mean over the backtest cutoffs, <em>latest auc</em> and <em>ece</em> (expected calibration error, lower is better) are at the latest cutoff.</p>");
        var action = IsReadOnly ? "" : ", case when status <> 'champion' then version end as action";
        Table(
            $"""
            select version, trainer, status, coalesce(metrics ->> 'auc', metrics #>> '{"{summary,auc}"}')::float8 as auc,
                   (metrics ->> 'latest_auc')::float8 as latest_auc,
                   (select (b #>> '{"{metrics,expected_calibration_error}"}')::float8 from jsonb_array_elements(
                        case when jsonb_typeof(metrics -> 'backtest') = 'array' then metrics -> 'backtest' else '[]'::jsonb end) b
                    where b ->> 'model' = trainer order by b ->> 'cutoff' desc limit 1) as ece,
                   training_from, training_to, created_at, promoted_at, left(status_reason, 200) as reason,
                   left(artifact_sha256, 12) as artifact{action}
            from ml.model order by created_at desc limit 50
            """,
            id: "crm-models", stacked: true,
            cell: (column, value) => column switch
            {
                "status" when value is "champion" => "<span class=\"label label-success\">champion</span>",
                "action" when value is string version =>
                    $"<button class=\"btn btn-xs btn-primary crm-promote\" id=\"promote-{Encode(version)}\" data-ajax=\"{Encode(Url.To("/models/promote/" + Uri.EscapeDataString(version)))}\" data-confirm=\"Make {Encode(version)} the champion?\" data-loading-text=\"Promoting…\">Promote</button>",
                _ => null,
            });
        Details();
        if (Exists("ops.alert"))
        {
            WriteLiteral("<h3>Alerts</h3>");
            Table("select raised_at, source, severity, left(message, 300) as message, resolved_at from ops.alert order by raised_at desc limit 20", id: "crm-alerts", stacked: true);
        }
        }

    /// <summary>Per model (the newest ten), folded: its backtest per cutoff and its feature importance.</summary>
    private void Details()
    {
        WriteLiteral("<h3>Backtest and feature importance per model</h3>");
        foreach (var detail in ModelData.Details(Warehouse, 10))
        {
            WriteLiteral($"<details class=\"crm-model\" id=\"model-{Encode(detail.Version)}\"><summary><strong>{Encode(detail.Version)}</strong> ({Encode(detail.Trainer)})</summary>");
            WriteLiteral("<table class=\"table table-condensed crm-backtest\"><thead><tr><th>cutoff</th><th>auc</th><th>ece</th><th>brier</th><th>customers</th></tr></thead><tbody>");
            foreach (var c in detail.Backtest)
            {
                WriteLiteral($"<tr><td>{Encode(c.Date)}</td><td>{Number(c.Auc)}</td><td>{Number(c.Ece)}</td><td>{Number(c.Brier)}</td><td>{c.Count}</td></tr>");
            }

            if (detail.Backtest.Count == 0)
            {
                WriteLiteral("<tr><td colspan=\"5\"><em>no backtest recorded</em></td></tr>");
            }

            WriteLiteral("</tbody></table>");
            if (detail.Importance.Count > 0)
            {
                var top = Math.Abs(detail.Importance[0].Importance);
                WriteLiteral("<table class=\"table table-condensed crm-importance\"><thead><tr><th>feature</th><th>importance</th><th></th></tr></thead><tbody>");
                foreach (var (feature, importance) in detail.Importance.Take(15))
                {
                    // The bar is an SVG rectangle, not a styled element: the page's policy allows no inline style.
                    var width = top > 0 ? Math.Abs(importance) / top * 160 : 0;
                    WriteLiteral($"<tr><td>{Encode(feature)}</td><td>{Number(importance)}</td><td><svg width=\"160\" height=\"10\" role=\"img\" aria-label=\"{Encode(feature)}\"><rect width=\"{width.ToString("0.#", CultureInfo.InvariantCulture)}\" height=\"10\" fill=\"#0072B2\"/></svg></td></tr>");
                }

                WriteLiteral("</tbody></table>");
            }
            else
            {
                WriteLiteral("<p><em>no feature importance recorded (BG/NBD uses no features)</em></p>");
            }

            WriteLiteral("</details>");
        }
    }

    private static string Number(double value) => double.IsNaN(value) ? "" : value.ToString("0.####", CultureInfo.InvariantCulture);
}
