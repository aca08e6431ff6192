namespace Crm.Dashboard.Pages;

/// <summary>Models: every trained churn model with its metrics, the champion, and why others were not promoted.</summary>
internal sealed class ModelsPage : CrmPage
{
    public ModelsPage()
        : base("Models")
    {
    }

    protected override void Render()
    {
        WriteLiteral("<p>Each nightly retrain produces a challenger; it replaces the champion only if it is better on the latest backtest cutoff. Promote or roll back with <code>./crm churn promote VERSION</code> / <code>./crm churn rollback</code>.</p>");
        Table(
            """
            select version, trainer, status, coalesce(metrics ->> 'auc', metrics #>> '{summary,auc}') as auc,
                   training_from, training_to, created_at, promoted_at, left(status_reason, 200) as reason,
                   left(artifact_sha256, 12) as artifact
            from ml.model order by created_at desc limit 50
            """,
            id: "crm-models",
            cell: (column, value) => column == "status" && value is "champion" ? "<span class=\"label label-success\">champion</span>" : null);
        if (Exists("ops.alert"))
        {
            WriteLiteral("<h3>Alerts</h3>");
            Table("select raised_at, source, severity, left(message, 300) as message, resolved_at from ops.alert order by raised_at desc limit 20", id: "crm-alerts");
        }
    }
}
