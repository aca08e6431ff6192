using System.Diagnostics;

namespace Crm.Pipeline.Sources.WebLogs;

/// <summary>
/// Where a web log load spends its time (process-wide totals in stopwatch ticks): read and parse,
/// the COPY of the hits, sessions, links, and the rest of a segment's transaction (ledger, file
/// state, commit). The benchmark prints them to show what costs more than the plain COPY.
/// </summary>
internal static class WebLogTimings
{
    private static long _parse, _copy, _sessions, _sessionLookup, _links, _other;

    public static void Reset() => _parse = _copy = _sessions = _sessionLookup = _links = _other = 0;

    public static void AddParse(long since) => Interlocked.Add(ref _parse, Stopwatch.GetTimestamp() - since);

    public static void AddCopy(long since) => Interlocked.Add(ref _copy, Stopwatch.GetTimestamp() - since);

    public static void AddSessions(long since) => Interlocked.Add(ref _sessions, Stopwatch.GetTimestamp() - since);

    public static void AddSessionLookup(long since) => Interlocked.Add(ref _sessionLookup, Stopwatch.GetTimestamp() - since);

    public static void AddLinks(long since) => Interlocked.Add(ref _links, Stopwatch.GetTimestamp() - since);

    public static void AddOther(long since) => Interlocked.Add(ref _other, Stopwatch.GetTimestamp() - since);

    public static string Describe() =>
        $"read+parse {S(_parse):N1} s, COPY {S(_copy):N1} s, sessions {S(_sessions):N1} s (of which reading the visitors' last sessions {S(_sessionLookup):N1} s), links {S(_links):N1} s, ledger/state/commit {S(_other):N1} s";

    private static double S(long ticks) => (double)ticks / Stopwatch.Frequency;
}
