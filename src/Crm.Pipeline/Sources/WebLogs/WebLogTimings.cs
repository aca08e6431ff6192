using System.Diagnostics;

namespace Crm.Pipeline.Sources.WebLogs;

/// <summary>
/// Where a web log load spends its time (process-wide totals in stopwatch ticks): probing files and
/// finding their state, read and parse, opening a transaction (locks, ledger, suppression list), the
/// COPY of the hits, sessions (and the SQL rebuild of out-of-order visitors), links, resolving tracking
/// tokens, campaign send logs, and the rest of a transaction (ledger, file state, commit). The
/// benchmarks print them to show what costs more than the plain COPY.
/// </summary>
internal static class WebLogTimings
{
    private static long _probe, _parse, _open, _copy, _sessions, _sessionLookup, _fallback, _links, _resolve, _sends, _other;
    private static long _fallbackVisitors, _transactions, _segments;

    public static void Reset() =>
        _probe = _parse = _open = _copy = _sessions = _sessionLookup = _fallback = _links = _resolve = _sends = _other =
            _fallbackVisitors = _transactions = _segments = 0;

    public static void AddProbe(long since) => Interlocked.Add(ref _probe, Stopwatch.GetTimestamp() - since);

    public static void AddParse(long since) => Interlocked.Add(ref _parse, Stopwatch.GetTimestamp() - since);

    public static void AddOpen(long since) => Interlocked.Add(ref _open, Stopwatch.GetTimestamp() - since);

    public static void AddCopy(long since) => Interlocked.Add(ref _copy, Stopwatch.GetTimestamp() - since);

    public static void AddSessions(long since) => Interlocked.Add(ref _sessions, Stopwatch.GetTimestamp() - since);

    public static void AddSessionLookup(long since) => Interlocked.Add(ref _sessionLookup, Stopwatch.GetTimestamp() - since);

    public static void AddFallback(long since, int visitors)
    {
        Interlocked.Add(ref _fallback, Stopwatch.GetTimestamp() - since);
        Interlocked.Add(ref _fallbackVisitors, visitors);
    }

    public static void AddLinks(long since) => Interlocked.Add(ref _links, Stopwatch.GetTimestamp() - since);

    public static void AddResolve(long since) => Interlocked.Add(ref _resolve, Stopwatch.GetTimestamp() - since);

    public static void AddSends(long since) => Interlocked.Add(ref _sends, Stopwatch.GetTimestamp() - since);

    public static void AddOther(long since) => Interlocked.Add(ref _other, Stopwatch.GetTimestamp() - since);

    public static void CountTransaction() => Interlocked.Increment(ref _transactions);

    public static void CountSegment() => Interlocked.Increment(ref _segments);

    public static string Describe() =>
        $"probe/state {S(_probe):N1} s, read+parse {S(_parse):N1} s, open {S(_open):N1} s, COPY {S(_copy):N1} s, " +
        $"sessions {S(_sessions):N1} s (of which reading the visitors' last sessions {S(_sessionLookup):N1} s, " +
        $"SQL rebuild of {_fallbackVisitors:N0} out-of-order visitors {S(_fallback):N1} s), links {S(_links):N1} s, " +
        $"token resolve {S(_resolve):N1} s, campaign sends {S(_sends):N1} s, ledger/state/commit {S(_other):N1} s; " +
        $"{_segments:N0} segments in {_transactions:N0} transactions";

    private static double S(long ticks) => (double)ticks / Stopwatch.Frequency;
}
