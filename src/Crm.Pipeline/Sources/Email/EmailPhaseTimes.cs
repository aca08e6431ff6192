using System.Diagnostics;

namespace Crm.Pipeline.Sources.Email;

/// <summary>
/// Where an email ingest's time went, by phase, summed over its units (logged at the end of a
/// drop-folder load, so a slow phase at scale shows without a profiler).
/// </summary>
internal sealed class EmailPhaseTimes
{
    /// <summary>Fingerprinting files and reading the ledger before parsing.</summary>
    public long Scan;

    /// <summary>Parsing with MimeKit and extracting (waiting for it, when it overlaps the database).</summary>
    public long Parse;

    /// <summary>Binary COPY into the scratch tables.</summary>
    public long Copy;

    /// <summary>Suppression check and quarantine rows.</summary>
    public long Quarantine;

    /// <summary>The set-based insert into <c>core.email</c>.</summary>
    public long Insert;

    /// <summary>Thread repair passes.</summary>
    public long Repair;

    /// <summary>Threads, attachments and email identities (<c>email_finish.sql</c>).</summary>
    public long Finish;

    /// <summary>Opening (lock, lookup, rows, scratch tables) and closing ledger rows, and the commit.</summary>
    public long Ledger;

    /// <summary>Adds the time since <paramref name="startTimestamp"/> to <paramref name="phase"/>.</summary>
    public void Add(ref long phase, long startTimestamp) => phase += Stopwatch.GetTimestamp() - startTimestamp;

    /// <summary>One line: seconds per phase.</summary>
    public override string ToString() =>
        $"scan {S(Scan)} s, parse {S(Parse)} s, copy {S(Copy)} s, quarantine {S(Quarantine)} s, insert {S(Insert)} s, "
        + $"repair {S(Repair)} s, finish {S(Finish)} s, ledger {S(Ledger)} s";

    private static string S(long ticks) => (ticks / (double)Stopwatch.Frequency).ToString("0.00", System.Globalization.CultureInfo.InvariantCulture);
}
