using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Crm.Dashboard.Auth;
using Crm.IntegrationTests.Infrastructure;
using Crm.Worker.Hosting;

namespace Crm.IntegrationTests.Hosting;

/// <summary>
/// What a new admin does first, run as they would: the demo from a folder only its owner can enter (as root, and
/// as an unprivileged user), <c>crm serve</c> stopped and started again in the same folder, and both hosts under
/// the systemd notify protocol. Everything runs the real crm command line as a child process.
/// </summary>
[Collection(DemoCollection.Name)]
public sealed partial class FirstRunTests(PostgresCluster cluster)
{
    private static readonly TimeSpan DemoTimeout = TimeSpan.FromMinutes(8);

    private static bool IsRoot => Environment.UserName == "root";

    [Fact]
    public async Task The_demo_runs_from_a_folder_only_its_owner_can_enter()
    {
        var runs = new List<Task>
        {
            // The invoking user (root in CI): as root the cluster cannot live in the folder (postgres cannot enter it).
            DemoInPrivateFolderAsync(user: null),
        };
        if (IsRoot)
        {
            // An unprivileged user in their own 0700 folder: PostgreSQL runs as that user, in the folder.
            runs.Add(DemoInPrivateFolderAsync(user: "nobody"));
        }

        await Task.WhenAll(runs);
    }

    private static async Task DemoInPrivateFolderAsync(string? user)
    {
        var home = Directory.CreateTempSubdirectory("crm-home-").FullName;
        string? cluster = null;
        try
        {
            var clone = Directory.CreateDirectory(Path.Combine(home, "crm")).FullName;
            var app = AppContext.BaseDirectory;
            if (user is not null)
            {
                await RunToolAsync("chown", "-R", $"{user}:", home);
                app = ReadableCopyOfTheApp(home);
            }

            File.SetUnixFileMode(home, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            var (code, output) = await CrmAsync(Path.Combine(app, "crm.dll"), clone, user, DemoTimeout, ["demo"]);
            Assert.True(code == 0, $"demo as {user ?? Environment.UserName} exited {code}:\n{Tail(output)}");
            Assert.Contains("demo finished", output, StringComparison.Ordinal);
            Assert.DoesNotMatch(StackFrame(), output);
            var note = Path.Combine(clone, ".crm", "postgres", "cluster");
            if (user is null && IsRoot)
            {
                // Root: the data went where the postgres user may go, and the folder says where.
                cluster = EmbeddedPostgres.ClusterDirectoryFor(Path.Combine(clone, ".crm", "postgres"));
                Assert.True(File.Exists(Path.Combine(cluster, "pgdata", "PG_VERSION")), "the cluster should be in " + cluster);
                Assert.Contains(cluster, await File.ReadAllTextAsync(note), StringComparison.Ordinal);
            }
            else
            {
                Assert.True(File.Exists(Path.Combine(clone, ".crm", "postgres", "pgdata", "PG_VERSION")), "the cluster should be in the folder");
                Assert.False(File.Exists(note));
            }
        }
        finally
        {
            Directory.Delete(home, recursive: true);
            if (cluster is not null && Directory.Exists(cluster))
            {
                Directory.Delete(cluster, recursive: true);
            }
        }
    }

    [Fact]
    public async Task Serve_stopped_and_started_again_in_the_same_folder_serves_the_dashboard_each_time()
    {
        var home = Directory.CreateTempSubdirectory("crm-serve-").FullName;
        File.SetUnixFileMode(home, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var folder = Directory.CreateDirectory(Path.Combine(home, "crm")).FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(folder, "crm.json"),
                $$"""{ "Crm": { "Dashboard": { "Users": [ { "Name": "admin", "PasswordHash": "{{PasswordHash.Create("Serve-pass-1")}}", "Role": "admin" } ] } } }""");
            var url = $"http://127.0.0.1:{FreePort.Next()}";
            for (var start = 1; start <= 2; start++)
            {
                using var process = Start(CrmProcess.Dll, folder, null, ["serve"], new() { ["ASPNETCORE_URLS"] = url, ["Crm__Logging__Level"] = "Information" });
                var output = Collect(process);
                using var http = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = new Uri(url) };
                var ready = await Poll.UntilAsync(async () => (await TryGetAsync(http, "/readyz"))?.StatusCode == HttpStatusCode.OK, TimeSpan.FromMinutes(3), () => process.HasExited);
                Assert.True(ready, $"start {start}: /readyz never said 200; crm serve wrote:\n{Tail(output.ToString())}");

                await SignInAsync(http, "admin", "Serve-pass-1");
                using var dashboard = await http.GetAsync(new Uri("/hangfire", UriKind.Relative));
                Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
                Assert.Contains("Crm jobs", await dashboard.Content.ReadAsStringAsync(), StringComparison.Ordinal);

                // The service logs what crm check would print, ending with the counts.
                Assert.True(await Poll.UntilAsync(() => Task.FromResult(CheckSummary().IsMatch(output.ToString())), TimeSpan.FromMinutes(1), () => process.HasExited),
                    $"start {start}: no check summary in the log:\n{Tail(output.ToString())}");

                Terminate(process);
                Assert.True(await ExitsAsync(process, TimeSpan.FromMinutes(1)), $"start {start}: crm serve did not stop after SIGTERM");
                Assert.Equal(0, process.ExitCode);
                Assert.DoesNotMatch(StackFrame(), output.ToString());
            }
        }
        finally
        {
            Directory.Delete(home, recursive: true);
            var cluster = EmbeddedPostgres.ClusterDirectoryFor(Path.Combine(folder, ".crm", "postgres"));
            if (Directory.Exists(cluster))
            {
                Directory.Delete(cluster, recursive: true);
            }
        }
    }

    [Theory]
    [InlineData("serve")]
    [InlineData("serve", "--no-dashboard")]
    [InlineData("dashboard")]
    public async Task Each_host_tells_systemd_it_is_ready_and_that_it_is_stopping(params string[] command)
    {
        var warehouse = await cluster.CreateDatabaseAsync("notify");
        var folder = Directory.CreateTempSubdirectory("crm-notify-").FullName;
        var socketPath = Path.Combine(folder, "notify.sock");
        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
            socket.Bind(new UnixDomainSocketEndPoint(socketPath));
            var messages = new List<string>();
            using var process = Start(CrmProcess.Dll, folder, null, command, new()
            {
                ["NOTIFY_SOCKET"] = socketPath,
                ["ConnectionStrings__Warehouse"] = warehouse,
                ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{FreePort.Next()}",
            });
            var output = Collect(process);

            Assert.True(await ReceiveUntilAsync(socket, messages, "READY=1", TimeSpan.FromMinutes(2)),
                $"no READY=1 from crm {string.Join(' ', command)} (got: {string.Join(", ", messages)}); it wrote:\n{Tail(output.ToString())}");
            Assert.False(process.HasExited);

            Terminate(process);
            Assert.True(await ReceiveUntilAsync(socket, messages, "STOPPING=1", TimeSpan.FromMinutes(1)),
                $"no STOPPING=1 after SIGTERM (got: {string.Join(", ", messages)})");
            Assert.True(await ExitsAsync(process, TimeSpan.FromMinutes(1)));
            Assert.Equal(0, process.ExitCode);
            Assert.Equal(["READY=1", "STOPPING=1"], messages.Where(m => m is "READY=1" or "STOPPING=1"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Theory]
    [InlineData("crm-worker.service", "serve --no-dashboard")]
    [InlineData("crm-dashboard.service", "dashboard")]
    public async Task The_systemd_units_verify_and_run_the_command_with_the_settings_and_data_where_they_are(string unit, string command)
    {
        var path = Path.Combine(TestData.RepositoryRoot, "deploy", "systemd", unit);
        var (code, output) = await RunToolAsync("systemd-analyze", "verify", path);
        Assert.True(code == 0 && output.Trim().Length == 0, $"systemd-analyze verify {unit}: exit {code}\n{output}");

        var text = await File.ReadAllTextAsync(path);
        Assert.Contains("Type=notify", text, StringComparison.Ordinal);
        Assert.Contains($"ExecStart=/usr/bin/dotnet /opt/crm/worker/crm.dll {command} --config /etc/crm/crm.json", text, StringComparison.Ordinal);
        // The embedded warehouse and the outbox are under the working directory, which the unit may write.
        Assert.Contains("WorkingDirectory=/var/lib/crm", text, StringComparison.Ordinal);
        Assert.Contains("ReadWritePaths=/var/lib/crm", text, StringComparison.Ordinal);
        Assert.Contains("ReadOnlyPaths=/etc/crm /opt/crm", text, StringComparison.Ordinal);

        // The command line the unit runs is one crm understands.
        var args = command.Split(' ').Concat(["--config", path]).ToArray();
        Assert.Empty(Crm.Worker.Commands.CrmCommandLine.Build().Parse(args).Errors);
    }

    private static Regex StackFrame() => StackFrameRegex();

    [GeneratedRegex(@"check: \d+ ok, \d+ warnings, 0 errors")]
    private static partial Regex CheckSummary();

    [GeneratedRegex(@"(?m)^\s+at [A-Z][\w.]+")]
    private static partial Regex StackFrameRegex();

    private static string ReadableCopyOfTheApp(string home)
    {
        // The unprivileged user must read crm.dll; the test binaries may sit in a folder it cannot enter.
        var source = AppContext.BaseDirectory;
        if (EmbeddedPostgres.OthersCanEnter(Path.Combine(source, "x")))
        {
            return source;
        }

        var copy = Path.Combine(Path.GetTempPath(), "crm-app-" + Path.GetFileName(home));
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(copy, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        return copy;
    }

    private static Process Start(string dll, string folder, string? user, string[] args, Dictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(user is null ? "dotnet" : "runuser")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = folder,
        };
        if (user is not null)
        {
            foreach (var a in (string[])["-u", user, "--", "env", $"HOME={folder}", $"DOTNET_CLI_HOME={folder}", "dotnet"])
            {
                info.ArgumentList.Add(a);
            }
        }

        info.ArgumentList.Add(dll);
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        info.Environment.Remove("ConnectionStrings__Warehouse");
        info.Environment["Crm__Logging__Level"] = "Warning";
        foreach (var (key, value) in environment ?? [])
        {
            info.Environment[key] = value;
        }

        return Process.Start(info)!;
    }

    private static StringBuilder Collect(Process process)
    {
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return output;
    }

    private static async Task<(int ExitCode, string Output)> CrmAsync(string dll, string folder, string? user, TimeSpan timeout, string[] args)
    {
        using var process = Start(dll, folder, user, args);
        var output = Collect(process);
        if (!await ExitsAsync(process, timeout))
        {
            process.Kill(entireProcessTree: true);
            return (-1, $"timed out after {timeout}\n{output}");
        }

        process.WaitForExit();
        return (process.ExitCode, output.ToString());
    }

    private static async Task<(int ExitCode, string Output)> RunToolAsync(string tool, params string[] args)
    {
        var info = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await process.WaitForExitAsync(cts.Token);
        var result = (process.ExitCode, await stdout + await stderr);
        Assert.True(tool != "chown" || result.ExitCode == 0, $"{tool} failed: {result.Item2}");
        return result;
    }

    private static void Terminate(Process process)
    {
        using var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    private static async Task<bool> ExitsAsync(Process process, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            return false;
        }
    }

    private static async Task<HttpResponseMessage?> TryGetAsync(HttpClient http, string path)
    {
        try
        {
            return await http.GetAsync(new Uri(path, UriKind.Relative));
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    private static async Task SignInAsync(HttpClient http, string user, string password)
    {
        var page = await http.GetStringAsync(new Uri("/login", UriKind.Relative));
        var form = new Dictionary<string, string> { ["username"] = user, ["password"] = password, ["returnUrl"] = "/hangfire" };
        if (TokenRegex().Match(page) is { Success: true } token)
        {
            form["__RequestVerificationToken"] = WebUtility.HtmlDecode(token.Groups[1].Value);
        }

        using var response = await http.PostAsync(new Uri("/login", UriKind.Relative), new FormUrlEncodedContent(form));
        Assert.True(response.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.Found or HttpStatusCode.SeeOther,
            $"sign-in answered {(int)response.StatusCode}");
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"")]
    private static partial Regex TokenRegex();

    private static async Task<bool> ReceiveUntilAsync(Socket socket, List<string> messages, string wanted, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var buffer = new byte[4096];
        try
        {
            while (!messages.Contains(wanted))
            {
                var n = await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
                messages.AddRange(Encoding.UTF8.GetString(buffer, 0, n).Split('\n', StringSplitOptions.RemoveEmptyEntries));
            }

            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static string Tail(string output) => string.Join('\n', output.Split('\n').TakeLast(40));

}
