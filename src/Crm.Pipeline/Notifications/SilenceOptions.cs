using Crm.Pipeline.Reports;

namespace Crm.Pipeline.Notifications;

/// <summary>A source that must bring new rows within <see cref="After"/>.</summary>
public sealed class SilenceOptions
{
    /// <summary><c>orders</c>, <c>weblogs</c> or <c>email</c> (the ingest ledger's source).</summary>
    public string Source { get; set; } = "";

    /// <summary>How long without a loaded row is an incident: <c>26h</c>, <c>90m</c>, <c>45s</c>, <c>2d</c>.</summary>
    public string After { get; set; } = "";
}
