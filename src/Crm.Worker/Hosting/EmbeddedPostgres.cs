using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Npgsql;

namespace Crm.Worker.Hosting;

/// <summary>
/// A private PostgreSQL cluster run from the machine's <c>initdb</c>/<c>pg_ctl</c>: the
/// default warehouse when no connection string is configured. The data folder is reused
/// across runs; a stale <c>postmaster.pid</c> left by a kill -9 is recognised and removed;
/// the server listens on 127.0.0.1 only, on a free port, with a generated password.
/// </summary>
public sealed class EmbeddedPostgres : IAsyncDisposable
{
    /// <summary>The database created in the cluster for the warehouse.</summary>
    public const string DatabaseName = "crm";

    private const string UserName = "crm";

    private readonly string _binDirectory;
    private readonly string _dataDirectory;
    private readonly string _passwordFile;
    private readonly bool _runAsPostgresUser;
    private bool _startedHere;

    private EmbeddedPostgres(string binDirectory, string rootDirectory)
    {
        _binDirectory = binDirectory;
        RootDirectory = rootDirectory;
        _dataDirectory = Path.Combine(rootDirectory, "pgdata");
        _passwordFile = Path.Combine(rootDirectory, "pg-password");
        // PostgreSQL refuses to run as root; as root we run it as the 'postgres' system user
        // that Debian's postgresql package creates.
        _runAsPostgresUser = Environment.UserName == "root";
    }

    /// <summary>The folder holding the cluster's data and password.</summary>
    public string RootDirectory { get; }

    /// <summary>The loopback port the server listens on, once started.</summary>
    public int Port { get; private set; }

    /// <summary>Connection string to the <c>crm</c> database, once started.</summary>
    public string ConnectionString { get; private set; } = "";

    /// <summary>
    /// Finds the PostgreSQL server binaries, or throws with the one line a user needs:
    /// which Debian package to install.
    /// </summary>
    /// <exception cref="InvalidOperationException">initdb/pg_ctl are not installed.</exception>
    public static string FindBinaries()
    {
        var candidates = new List<string>();
        if (Environment.GetEnvironmentVariable("CRM_PG_BIN") is { Length: > 0 } configured)
        {
            candidates.Add(configured);
        }

        if (Directory.Exists("/usr/lib/postgresql"))
        {
            candidates.AddRange(Directory.GetDirectories("/usr/lib/postgresql")
                .OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var v) ? v : 0)
                .Select(d => Path.Combine(d, "bin")));
        }

        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            candidates.Add(dir);
        }

        foreach (var dir in candidates)
        {
            if (File.Exists(Path.Combine(dir, "initdb")) && File.Exists(Path.Combine(dir, "pg_ctl")) && File.Exists(Path.Combine(dir, "postgres")))
            {
                return dir;
            }
        }

        throw new InvalidOperationException(
            "PostgreSQL server binaries (initdb, pg_ctl) not found: install the Debian package 'postgresql' " +
            "(sudo apt-get install -y postgresql), or configure ConnectionStrings:Warehouse.");
    }

    /// <summary>
    /// Starts (creating on first use) the cluster under <paramref name="rootDirectory"/>, or attaches to
    /// it when another process of ours already runs it. Stopped on dispose only if started here.
    /// </summary>
    public static async Task<EmbeddedPostgres> StartAsync(string rootDirectory, CancellationToken cancellationToken)
    {
        var pg = new EmbeddedPostgres(FindBinaries(), Path.GetFullPath(rootDirectory));
        await pg.StartCoreAsync(cancellationToken).ConfigureAwait(false);
        return pg;
    }

    private async Task StartCoreAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(RootDirectory);
        // Several processes (worker, dashboard, a command) may start at once: one starts the server.
        await using var startLock = await AcquireLockAsync(Path.Combine(RootDirectory, "start.lock"), cancellationToken).ConfigureAwait(false);

        if (!File.Exists(Path.Combine(_dataDirectory, "PG_VERSION")))
        {
            await InitAsync(cancellationToken).ConfigureAwait(false);
        }

        var password = (await File.ReadAllTextAsync(_passwordFile, cancellationToken).ConfigureAwait(false)).Trim();
        var running = RunningPort();
        if (running is { } port && await CanConnectAsync(port, password, cancellationToken).ConfigureAwait(false))
        {
            Port = port;
        }
        else
        {
            RemoveStalePid();
            Port = FreePort();
            var log = Path.Combine(RootDirectory, "postgres.log");
            var options = $"-p {Port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c max_connections=200 {ServerSettings(TotalMemoryBytes())}";
            await RunAsync("pg_ctl", ["-D", _dataDirectory, "-l", log, "-w", "-t", "60", "-o", options, "start"], cancellationToken).ConfigureAwait(false);
            _startedHere = true;
        }

        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = Port,
            Username = UserName,
            Password = password,
            Database = "postgres",
        };
        await EnsureDatabaseAsync(builder.ConnectionString, cancellationToken).ConfigureAwait(false);
        builder.Database = DatabaseName;
        ConnectionString = builder.ConnectionString;
        // The dashboard (a separate process) finds the embedded warehouse through this file.
        var connectionFile = Path.Combine(RootDirectory, "connection");
        await File.WriteAllTextAsync(connectionFile, ConnectionString, cancellationToken).ConfigureAwait(false);
        File.SetUnixFileMode(connectionFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    /// <summary>
    /// Server settings for a warehouse that takes nightly bulk loads, given the machine's memory. PostgreSQL's
    /// defaults are sized for a tiny shared host: with 1 GB of WAL between checkpoints, loading a million
    /// customers checkpointed every 13–25 s (86 "checkpoints are occurring too frequently" warnings), each
    /// checkpoint writing every dirty page and making the next change of each page log the whole page again.
    /// Here: WAL up to 4 GB and 15 minutes between checkpoints, an eighth of the memory (128 MB to 2 GB) as
    /// shared buffers, and half of it as the planner's estimate of the file cache. A PostgreSQL of your own
    /// wants the same (deploy/OPERATIONS.md).
    /// </summary>
    internal static string ServerSettings(long memoryBytes)
    {
        const long Mb = 1024 * 1024;
        var buffers = Math.Clamp(memoryBytes / 8 / Mb, 128, 2048);
        var cache = Math.Max(memoryBytes / 2 / Mb, 512);
        return string.Create(CultureInfo.InvariantCulture,
            $"-c shared_buffers={buffers}MB -c effective_cache_size={cache}MB -c max_wal_size=4GB -c checkpoint_timeout=15min");
    }

    private static long TotalMemoryBytes()
    {
        // The memory this process may use (a container's limit when there is one), else 1 GB.
        var total = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        return total > 0 ? total : 1024L * 1024 * 1024;
    }

    private async Task InitAsync(CancellationToken cancellationToken)
    {
        if (Directory.Exists(_dataDirectory))
        {
            // A half-made folder from an interrupted initdb: start over.
            Directory.Delete(_dataDirectory, recursive: true);
        }

        var password = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        await File.WriteAllTextAsync(_passwordFile, password, cancellationToken).ConfigureAwait(false);
        File.SetUnixFileMode(_passwordFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var pwfile = Path.Combine(RootDirectory, "initdb-pw.tmp");
        await File.WriteAllTextAsync(pwfile, password, cancellationToken).ConfigureAwait(false);
        try
        {
            Directory.CreateDirectory(_dataDirectory);
            if (_runAsPostgresUser)
            {
                await ChownAsync(RootDirectory, recursive: false, cancellationToken).ConfigureAwait(false);
                await ChownAsync(_dataDirectory, recursive: true, cancellationToken).ConfigureAwait(false);
                await ChownAsync(pwfile, recursive: false, cancellationToken).ConfigureAwait(false);
            }

            File.SetUnixFileMode(_dataDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            await RunAsync("initdb", ["-D", _dataDirectory, "-U", UserName, "--pwfile", pwfile, "--auth=scram-sha-256", "-E", "UTF8", "--no-locale"], cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            File.Delete(pwfile);
        }
    }

    private int? RunningPort()
    {
        var pidFile = Path.Combine(_dataDirectory, "postmaster.pid");
        if (!File.Exists(pidFile))
        {
            return null;
        }

        var lines = File.ReadAllLines(pidFile);
        if (lines.Length < 4 || !int.TryParse(lines[0], out var pid) || !IsPostgresProcess(pid))
        {
            return null;
        }

        return int.TryParse(lines[3], NumberStyles.Integer, CultureInfo.InvariantCulture, out var port) ? port : null;
    }

    private void RemoveStalePid()
    {
        var pidFile = Path.Combine(_dataDirectory, "postmaster.pid");
        if (!File.Exists(pidFile))
        {
            return;
        }

        var lines = File.ReadAllLines(pidFile);
        if (lines.Length > 0 && int.TryParse(lines[0], out var pid) && IsPostgresProcess(pid))
        {
            throw new InvalidOperationException(
                $"A PostgreSQL server (pid {pid}) runs on {_dataDirectory} but does not accept our connection. Stop it, or remove the folder.");
        }

        // Left by a kill -9 (or a reboot): the pid is dead or belongs to another program now.
        File.Delete(pidFile);
    }

    private static bool IsPostgresProcess(int pid)
    {
        try
        {
            var cmdline = File.ReadAllText($"/proc/{pid}/cmdline");
            return cmdline.Contains("postgres", StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static async Task<bool> CanConnectAsync(int port, string password, CancellationToken cancellationToken)
    {
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1", Port = port, Username = UserName, Password = password, Database = "postgres", Timeout = 5, Pooling = false,
        };
        try
        {
            await using var connection = new NpgsqlConnection(builder.ConnectionString);
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (NpgsqlException)
        {
            return false;
        }
    }

    private static async Task EnsureDatabaseAsync(string adminConnectionString, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(adminConnectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var exists = new NpgsqlCommand("select 1 from pg_database where datname = @n", connection);
        exists.Parameters.AddWithValue("n", DatabaseName);
        if (await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is null)
        {
            await using var create = new NpgsqlCommand($"create database {DatabaseName}", connection);
            await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Stops the server cleanly (fast shutdown) if this instance started it.</summary>
    public async Task StopAsync()
    {
        if (!_startedHere)
        {
            return;
        }

        _startedHere = false;
        NpgsqlConnection.ClearAllPools();
        await RunAsync("pg_ctl", ["-D", _dataDirectory, "-m", "fast", "-w", "-t", "60", "stop"], CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>Leaves the server running after this process exits (the caller hands it on).</summary>
    public void Detach() => _startedHere = false;

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    private async Task RunAsync(string tool, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var exe = Path.Combine(_binDirectory, tool);
        var info = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (_runAsPostgresUser)
        {
            info.FileName = "runuser";
            foreach (var a in (string[])["-u", "postgres", "--", exe])
            {
                info.ArgumentList.Add(a);
            }
        }
        else
        {
            info.FileName = exe;
        }

        foreach (var a in arguments)
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {tool}.");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            var log = Path.Combine(RootDirectory, "postgres.log");
            var tail = File.Exists(log) ? string.Join('\n', File.ReadLines(log).TakeLast(10)) : "";
            throw new InvalidOperationException(
                $"{tool} failed with exit code {process.ExitCode}: {(await stderr.ConfigureAwait(false)).Trim()} {(await stdout.ConfigureAwait(false)).Trim()}\n{tail}".Trim());
        }
    }

    private static async Task ChownAsync(string path, bool recursive, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo("chown") { UseShellExecute = false };
        if (recursive)
        {
            info.ArgumentList.Add("-R");
        }

        info.ArgumentList.Add("postgres:postgres");
        info.ArgumentList.Add(path);
        using var process = Process.Start(info)!;
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"Could not hand {path} to the 'postgres' user (chown failed). Is the Debian package 'postgresql' installed?");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<FileStream> AcquireLockAsync(string path, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException)
            {
                await Task.Delay(200, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
