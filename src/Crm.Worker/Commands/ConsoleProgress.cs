using System.Diagnostics;
using Crm.Pipeline.Jobs;

namespace Crm.Worker.Commands;

/// <summary>
/// Progress on the terminal: one rewritten line on a terminal, or a line every few seconds
/// when output is redirected (CI, logs).
/// </summary>
internal sealed class ConsoleProgress : IProgressSink
{
    private readonly string _stage;
    private readonly Stopwatch _watch = Stopwatch.StartNew();
    private long _last = -10_000;
    private bool _wroteInline;

    public ConsoleProgress(string stage) => _stage = stage;

    public void Report(double? fraction, string message)
    {
        var now = _watch.ElapsedMilliseconds;
        var interactive = !Console.IsOutputRedirected;
        if (now - _last < (interactive ? 200 : 5000) && fraction is not 1)
        {
            return;
        }

        _last = now;
        var pct = fraction is { } f ? $"{f * 100,5:0.0}% " : "";
        var line = $"  [{_stage}] {pct}{message}";
        if (interactive)
        {
            var width = Math.Max(20, SafeWidth() - 1);
            Console.Write("\r" + (line.Length > width ? line[..width] : line.PadRight(width)));
            _wroteInline = true;
        }
        else
        {
            Console.WriteLine(line);
        }
    }

    /// <summary>Ends the inline line so the next output starts clean.</summary>
    public void Done()
    {
        if (_wroteInline)
        {
            Console.Write("\r" + new string(' ', Math.Max(20, SafeWidth() - 1)) + "\r");
        }
    }

    private static int SafeWidth()
    {
        try
        {
            return Console.WindowWidth;
        }
        catch (IOException)
        {
            return 100;
        }
    }
}
