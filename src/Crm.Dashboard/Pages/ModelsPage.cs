namespace Crm.Dashboard.Pages;

/// <summary>
/// Models: every trained churn model with its metrics, the champion, and why others were not promoted;
/// admins promote a model or roll back to the previous champion (<see cref="AdminCommands"/>).
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

        var action = IsReadOnly ? "" : ", case when status <> 'champion' then version end as action";
        Table(
            $"""
            select version, trainer, status, coalesce(metrics ->> 'auc', metrics #>> '{"{summary,auc}"}') as auc,
                   training_from, training_to, created_at, promoted_at, left(status_reason, 200) as reason,
                   left(artifact_sha256, 12) as artifact{action}
            from ml.model order by created_at desc limit 50
            """,
            id: "crm-models",
            cell: (column, value) => column switch
            {
                "status" when value is "champion" => "<span class=\"label label-success\">champion</span>",
                "action" when value is string version =>
                    $"<button class=\"btn btn-xs btn-primary crm-promote\" id=\"promote-{Encode(version)}\" data-ajax=\"{Encode(Url.To("/models/promote/" + Uri.EscapeDataString(version)))}\" data-confirm=\"Make {Encode(version)} the champion?\" data-loading-text=\"Promoting…\">Promote</button>",
                _ => null,
            });
        if (Exists("ops.alert"))
        {
            WriteLiteral("<h3>Alerts</h3>");
            Table("select raised_at, source, severity, left(message, 300) as message, resolved_at from ops.alert order by raised_at desc limit 20", id: "crm-alerts");
        }
    }
}
