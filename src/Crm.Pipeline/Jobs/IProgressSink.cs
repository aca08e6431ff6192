namespace Crm.Pipeline.Jobs;

/// <summary>
/// Where a long-running stage reports how far it has come. The Hangfire job writes it to
/// the job's state so the dashboard shows it; the command line draws it on the terminal.
/// Implementations must be cheap: stages call it between chunks, not per row.
/// </summary>
public interface IProgressSink
{
    /// <summary>Reports progress: <paramref name="fraction"/> in [0, 1] when known, and a short message.</summary>
    void Report(double? fraction, string message);
}
