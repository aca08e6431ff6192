using System.Diagnostics;
using System.Text;
using Crm.IntegrationTests.Infrastructure;

namespace Crm.IntegrationTests.Operations;

/// <summary>
/// One <c>crm serve</c> worker node: the real built executable as a child process on a shared warehouse,
/// with its output drained (kept for failure messages). <see cref="Kill9"/> is a real SIGKILL.
/// </summary>
internal sealed class ServeNode : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ServeNode(string name, Process process)
    {
        Name = name;
        _process = process;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>The node name (<c>--node</c>), the prefix of its Hangfire server id.</summary>
    public string Name { get; }

    /// <summary>The node's process id.</summary>
    public int ProcessId => _process.Id;

    /// <summary>True once the process has exited.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>Everything the node printed so far.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts <c>crm serve --node NAME</c> with <paramref name="environment"/> added to the process environment.</summary>
    public static ServeNode Start(string connectionString, string workingDirectory, string name, IReadOnlyDictionary<string, string> environment, params string[] extraArgs)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        info.ArgumentList.Add(CrmProcess.Dll);
        info.ArgumentList.Add("serve");
        // Worker nodes: several run side by side, and the dashboard would want the same port on each.
        info.ArgumentList.Add("--no-dashboard");
        info.ArgumentList.Add("--node");
        info.ArgumentList.Add(name);
        foreach (var a in extraArgs)
        {
            info.ArgumentList.Add(a);
        }

        info.Environment["ConnectionStrings__Warehouse"] = connectionString;
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        return new ServeNode(name, Process.Start(info) ?? throw new InvalidOperationException("could not start crm serve"));
    }

    /// <summary>kill -9: the node dies at once, holding whatever job it was running.</summary>
    public void Kill9()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
    }

    /// <summary>SIGTERM, as systemd stops the service: the node finishes what it is doing and exits.</summary>
    public async Task StopAsync()
    {
        if (_process.HasExited)
        {
            return;
        }

        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(timeout.Token);
    }

    public void Dispose()
    {
        Kill9();
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
