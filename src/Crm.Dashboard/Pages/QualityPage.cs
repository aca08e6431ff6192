using Crm.Pipeline.Sources;

namespace Crm.Dashboard.Pages;

/// <summary>
/// Data quality: what every source loaded, and what was quarantined, by reason, with samples; admins
/// re-process a source's quarantined files after a fix (<see cref="AdminCommands"/>).
/// </summary>
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
            """, id: "crm-loads", stacked: true);

        WriteLiteral("<h3>Quarantine by source and reason</h3>");
        WriteLiteral("<p>Rejected input is never dropped: each row keeps its file, line, byte offset, raw text and reason. After fixing a feed's settings, <em>Re-process</em> releases the files holding rows of that reason and runs the source's ingest again: a re-read order file is reconciled order by order, an email file counts what is already loaded as duplicates, and whatever is still wrong is quarantined again. Web log lines cannot be re-read this way (their hits are appended by offset): fix the format and load a corrected copy.</p>");
        // A reason kind is the reason without its quoted values and numbers; reprocess_release.sql matches the same kind.
        // Identity's cleaning reasons name the rejected value in parentheses (not a UK postcode (AK1 2BJ)): on the demo
        // each value was a kind of its own, and the 100 rows shown were nearly all identity's. For a source that is not
        // re-processed, the parentheses go too.
        var sources = string.Join(", ", QuarantineReprocessor.Sources.Select(s => $"'{s}'"));
        var action = IsReadOnly ? "" : $", case when source in ({sources}) and reason_kind not like 'suppressed%' then source || '|' || reason_kind end as action";
        Table(
            $"""
            select source, reason_kind, rows, latest{action}
            from (select source, case when source in ({sources}) then k.kind else regexp_replace(k.kind, '\(.*\)', '(…)', 'g') end as reason_kind,
                         count(*) as rows, max(quarantined_at) as latest
                  from quarantine.record, lateral (select regexp_replace(reason, '''[^'']*''|\d+', '…', 'g') as kind) k
                  group by 1, 2) g
            order by rows desc limit 100
            """,
            id: "crm-quarantine", stacked: true,
            cell: (column, value) =>
            {
                if (column != "action" || value is not string act)
                {
                    return null;
                }

                var bar = act.IndexOf('|', StringComparison.Ordinal);
                var source = act[..bar];
                var url = Url.To("/quality/reprocess/" + source) + "?kind=" + Uri.EscapeDataString(act[(bar + 1)..]);
                return $"<button class=\"btn btn-xs btn-primary crm-reprocess\" data-source=\"{Encode(source)}\" data-ajax=\"{Encode(url)}\" data-loading-text=\"Re-queuing…\">Re-process</button>";
            });

        WriteLiteral("<h3>Latest samples</h3>");
        Table(
            """
            select source, unit_path as file, line_number as line, byte_offset, reason, left(raw_text, 160) as raw
            from quarantine.record order by quarantine_id desc limit 25
            """, id: "crm-quarantine-samples", stacked: true);
    }
}
