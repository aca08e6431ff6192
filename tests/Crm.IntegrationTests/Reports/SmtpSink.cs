using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Crm.IntegrationTests.Infrastructure;
using MimeKit;

namespace Crm.IntegrationTests.Reports;

/// <summary>
/// A real SMTP server on loopback: Debian's python3-aiosmtpd running data/reports/smtp_sink.py, writing each
/// received message to a folder. Can be stopped and started again on the same port (SMTP "down").
/// </summary>
public sealed class SmtpSink : IAsyncDisposable
{
    private readonly string[] _reject;
    private Process? _process;

    private SmtpSink(int port, string folder, string[] reject)
    {
        Port = port;
        Folder = folder;
        _reject = reject;
    }

    public int Port { get; }

    public string Folder { get; }

    /// <summary>Creates a sink on a free port; <paramref name="start"/> false leaves it down until <see cref="StartAsync"/>.</summary>
    public static async Task<SmtpSink> CreateAsync(bool start = true, params string[] reject)
    {
        var folder = Path.Combine(Path.GetTempPath(), "crm-smtp-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        var sink = new SmtpSink(FreePort.Next(), folder, reject);
        if (start)
        {
            await sink.StartAsync();
        }

        return sink;
    }

    public async Task StartAsync()
    {
        var script = Path.Combine(AppContext.BaseDirectory, "data", "reports", "smtp_sink.py");
        var info = new ProcessStartInfo("/usr/bin/python3")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { script, "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--dir", Folder })
        {
            info.ArgumentList.Add(a);
        }

        foreach (var r in _reject)
        {
            info.ArgumentList.Add("--reject");
            info.ArgumentList.Add(r);
        }

        _process = Process.Start(info) ?? throw new InvalidOperationException("could not start /usr/bin/python3");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var line = await _process.StandardOutput.ReadLineAsync(cts.Token);
        if (line != "READY")
        {
            var err = await _process.StandardError.ReadToEndAsync(cts.Token);
            throw new InvalidOperationException("SMTP sink did not start (is python3-aiosmtpd installed?): " + line + " " + err);
        }
    }

    public async Task StopAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
        _process = null;
    }

    /// <summary>Messages received so far, oldest first.</summary>
    public IReadOnlyList<MimeMessage> Messages() =>
        Directory.GetFiles(Folder, "*.eml").Order(StringComparer.Ordinal).Select(f => MimeMessage.Load(f)).ToList();

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>An IOptionsMonitor over fixed options, for building services by hand in tests.</summary>
public sealed class FixedOptions<T>(T value) : Microsoft.Extensions.Options.IOptionsMonitor<T>
{
    public T CurrentValue => value;

    public T Get(string? name) => value;

    public IDisposable? OnChange(Action<T, string?> listener) => null;
}
