using System.Diagnostics;

namespace Crm.Bench;

/// <summary>
/// Peak memory of one stretch of work. On Linux the process's resident high-water mark (VmHWM) is
/// reset at the start (writing 5 to /proc/self/clear_refs) and read at the end; elsewhere the
/// working set is sampled. The managed heap is sampled either way.
/// </summary>
internal sealed class Peak : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampler;
    private readonly bool _hwm;
    private long _maxResident;
    private long _maxManaged;

    private Peak()
    {
        _hwm = TryResetHighWaterMark();
        _sampler = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                Sample();
                try
                {
                    await Task.Delay(20, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        });
    }

    public static string Kind => File.Exists("/proc/self/clear_refs") ? "VmHWM" : "sampled";

    public static Peak Start() => new();

    public (long Resident, long Managed) Stop()
    {
        _stop.Cancel();
        _sampler.Wait();
        Sample();
        var resident = _hwm && ReadHighWaterMark() is { } hwm ? Math.Max(hwm, _maxResident) : _maxResident;
        return (resident, _maxManaged);
    }

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
    }

    private void Sample()
    {
        using var process = Process.GetCurrentProcess();
        _maxResident = Math.Max(_maxResident, process.WorkingSet64);
        _maxManaged = Math.Max(_maxManaged, GC.GetTotalMemory(false));
    }

    private static bool TryResetHighWaterMark()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static long? ReadHighWaterMark()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                return long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), System.Globalization.CultureInfo.InvariantCulture) * 1024;
            }
        }

        return null;
    }
}
