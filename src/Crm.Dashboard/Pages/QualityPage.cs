namespace Crm.Dashboard.Pages;

/// <summary>Data quality: what every source loaded, and what was quarantined, by reason, with samples.</summary>
internal sealed class QualityPage : CrmPage
{
    public QualityPage()
        : base("Data quality")
    {
    }

    protected override void Render()
    {
        WriteLiteral("<h3>Loads by source</h3>");
        Table(
            """
            select source, count(*) as units, sum(read_count) as read, sum(loaded_count) as loaded,
                   sum(quarantined_count) as quarantined, sum(duplicate_count) as duplicate, max(loaded_at) as last_load
            from ops.ingest_ledger group by source order by source
            """, id: "crm-loads");

        WriteLiteral("<h3>Quarantine by source and reason</h3>");
        WriteLiteral("<p>Rejected input is never dropped: each row keeps its file, line, byte offset, raw text and reason. After fixing a feed's settings, load the file again with <code>./crm ingest …</code>: a changed file is reconciled; an unchanged one can be re-read after removing its ledger row.</p>");
        Table(
            """
            select source, regexp_replace(reason, '''[^'']*''|\d+', '…', 'g') as reason_kind, count(*) as rows,
                   max(quarantined_at) as latest
            from quarantine.record group by 1, 2 order by rows desc limit 100
            """, id: "crm-quarantine");

        WriteLiteral("<h3>Latest samples</h3>");
        Table(
            """
            select source, unit_path as file, line_number as line, byte_offset, reason, left(raw_text, 160) as raw
            from quarantine.record order by quarantine_id desc limit 25
            """, id: "crm-quarantine-samples");
    }
}
