namespace Crm.Pipeline.Sources;

/// <summary>
/// Sums the results of an ingest stage's units into one set of counts, and keeps the failed units'
/// reasons for the stage's one-line summary. The one place the ingest stages add up their units.
/// </summary>
public sealed class UnitTally
{
    private readonly List<string> _errors = [];
    private readonly Func<UnitResult, string> _describe;

    /// <summary>Creates an empty tally.</summary>
    /// <param name="describe">How a failed unit reads in the summary; by default its file name and reason.</param>
    public UnitTally(Func<UnitResult, string>? describe = null)
    {
        _describe = describe ?? (r => $"{Path.GetFileName(r.Unit)}: {r.Error}");
    }

    /// <summary>The summed counts of every unit added.</summary>
    public IngestCounts Total { get; private set; }

    /// <summary>How many units were added.</summary>
    public int Units { get; private set; }

    /// <summary>How many of them failed, with the failures recorded by <see cref="AddFailure"/>.</summary>
    public int Failed { get; private set; }

    /// <summary>Adds one unit's result: its counts, and its reason when it failed.</summary>
    public void Add(UnitResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        Total += result.Counts;
        Units++;
        if (result.Error is not null)
        {
            Failed++;
            _errors.Add(_describe(result));
        }
    }

    /// <summary>Adds every result in <paramref name="results"/>.</summary>
    public void AddRange(IEnumerable<UnitResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        foreach (var r in results)
        {
            Add(r);
        }
    }

    /// <summary>Records a failure that is not a unit of its own (a source folder that went away).</summary>
    public void AddFailure(string reason)
    {
        Failed++;
        _errors.Add(reason);
    }

    /// <summary>The failed units' reasons for the stage message: the first three (the ingest ledger and log have all), or "" when none failed.</summary>
    public string Failures() =>
        _errors.Count == 0 ? "" : " — " + string.Join("; ", _errors.Take(3)) + (_errors.Count > 3 ? $"; and {_errors.Count - 3} more" : "");
}
