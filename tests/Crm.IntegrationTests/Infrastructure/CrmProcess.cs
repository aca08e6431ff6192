using System.Diagnostics;

namespace Crm.IntegrationTests.Infrastructure;

/// <summary>Runs the real <c>crm</c> command line (the built crm.dll) as a child process.</summary>
public static class CrmProcess
{
    /// <summary>Path of crm.dll beside the tests.</summary>
    public static string Dll => Path.Combine(AppContext.BaseDirectory, "crm.dll");

    /// <summary>Starts <c>dotnet crm.dll args…</c> with the warehouse connection string in the environment.</summary>
    public static Process Start(string connectionString, string workingDirectory, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        info.ArgumentList.Add(Dll);
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        info.Environment["ConnectionStrings__Warehouse"] = connectionString;
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        return Process.Start(info) ?? throw new InvalidOperationException("could not start crm");
    }

    /// <summary>Runs to completion (bounded by <paramref name="timeout"/>) and returns exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string connectionString, string workingDirectory, TimeSpan timeout, params string[] args)
    {
        using var process = Start(connectionString, workingDirectory, args);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"crm {string.Join(' ', args)} did not finish in {timeout}");
        }

        return (process.ExitCode, await stdout + await stderr);
    }
}
