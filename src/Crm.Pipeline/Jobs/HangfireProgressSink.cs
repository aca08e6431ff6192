using System.Globalization;
using Hangfire.Server;

namespace Crm.Pipeline.Jobs;

/// <summary>
/// Writes progress into the running job's parameters (<c>Progress</c>, <c>ProgressMessage</c>),
/// where the dashboard's progress page reads it. Throttled to one write a second.
/// </summary>
public sealed class HangfireProgressSink : IProgressSink
{
    /// <summary>Job parameter holding the fraction done, invariant culture.</summary>
    public const string ProgressParameter = "Progress";

    /// <summary>Job parameter holding the last progress message.</summary>
    public const string MessageParameter = "ProgressMessage";

    private readonly PerformContext _context;
    private long _lastWrite;

    /// <summary>Creates a sink for the job being performed.</summary>
    public HangfireProgressSink(PerformContext context) => _context = context;

    /// <inheritdoc />
    public void Report(double? fraction, string message)
    {
        var now = Environment.TickCount64;
        if (now - _lastWrite < 1000 && fraction is not 1)
        {
            return;
        }

        _lastWrite = now;
        _context.SetJobParameter(ProgressParameter, fraction?.ToString("0.###", CultureInfo.InvariantCulture) ?? "");
        _context.SetJobParameter(MessageParameter, message);
    }
}
