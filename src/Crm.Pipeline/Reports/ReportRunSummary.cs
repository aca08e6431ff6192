namespace Crm.Pipeline.Reports;

/// <summary>The outcome of one run of the report stage.</summary>
/// <param name="Outcomes">One entry per configured recipient.</param>
public sealed record ReportRunSummary(IReadOnlyList<RecipientOutcome> Outcomes)
{
    /// <summary>Reports sent (or written to the outbox) in this run.</summary>
    public int Sent => Outcomes.Count(o => o.Status == "sent");

    /// <summary>Recipients with nothing to send.</summary>
    public int Skipped => Outcomes.Count(o => o.Status == "skipped");

    /// <summary>Deliveries that failed in this run.</summary>
    public int Failed => Outcomes.Count(o => o.Status == "failed");

    /// <summary>Every file written to the outbox in this run (<c>.eml</c> and <c>.html</c>), for the demo to print.</summary>
    public IReadOnlyList<string> WrittenFiles =>
        Outcomes.Where(o => o.Status == "sent").SelectMany(o => new[] { o.HtmlPath, o.EmlPath }).Where(p => p is not null).Select(p => p!).ToList();

    /// <summary>One line for the terminal and the dashboard.</summary>
    public override string ToString()
    {
        var line = $"{Sent} sent, {Skipped} skipped, {Failed} failed";
        var html = Outcomes.Select(o => o.HtmlPath).FirstOrDefault(p => p is not null);
        return html is null ? line : $"{line}; outbox: {Path.GetDirectoryName(html)}";
    }
}
