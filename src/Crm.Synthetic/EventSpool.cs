using System.Runtime.InteropServices;

namespace Crm.Synthetic;

/// <summary>
/// Week-bucketed binary spool of <see cref="SpoolEvent"/>s. Phase 1 walks people one at a time and
/// appends their events to the week they fall in; phase 2 reads one week at a time, sorts it by
/// time and renders it. Memory holds one week of events, never the whole company.
/// </summary>
internal sealed class EventSpool : IDisposable
{
    private readonly string _folder;
    private readonly FileStream?[] _writers;
    private readonly DateTime _start;

    public EventSpool(string folder, DateTime startUtc, int weeks)
    {
        _folder = folder;
        _start = startUtc;
        _writers = new FileStream?[weeks];
        Directory.CreateDirectory(folder);
    }

    public int Weeks => _writers.Length;

    public long Count { get; private set; }

    public void Add(in SpoolEvent e)
    {
        var week = (int)((e.Ticks - _start.Ticks) / TimeSpan.TicksPerDay / 7);
        if (week < 0 || week >= _writers.Length)
        {
            return;
        }

        var w = _writers[week] ??= new FileStream(PathOf(week), FileMode.Create, FileAccess.Write, FileShare.None, 1 << 15);
        w.Write(MemoryMarshal.AsBytes(new ReadOnlySpan<SpoolEvent>(in e)));
        Count++;
    }

    /// <summary>Closes the writers; call once phase 1 is done.</summary>
    public void Seal()
    {
        for (var i = 0; i < _writers.Length; i++)
        {
            _writers[i]?.Dispose();
            _writers[i] = null;
        }
    }

    /// <summary>The events of <paramref name="week"/>, sorted by time (ties broken by person, kind, number).</summary>
    public SpoolEvent[] ReadWeek(int week)
    {
        var path = PathOf(week);
        if (!File.Exists(path))
        {
            return [];
        }

        var bytes = File.ReadAllBytes(path);
        var events = MemoryMarshal.Cast<byte, SpoolEvent>(bytes).ToArray();
        Array.Sort(events);
        File.Delete(path);
        return events;
    }

    private string PathOf(int week) => Path.Combine(_folder, $"week-{week:D4}.bin");

    public void Dispose()
    {
        Seal();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}
