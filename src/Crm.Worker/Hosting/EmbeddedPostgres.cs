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
/// <remarks>
/// Where the cluster lives: run by an ordinary user, in the folder it is started on (the server runs as that
/// user). PostgreSQL refuses to run as root, so run by root the server runs as the <c>postgres</c> system user
/// (Debian's <c>postgresql</c> package creates it), and that user often cannot enter the folder (a clone in
/// <c>/root</c>, any 0700 folder). Then the cluster is kept in <c>/var/lib/postgresql/crm/&lt;folder path&gt;-&lt;hash&gt;</c>,
/// owned by <c>postgres</c>, one per folder started on; the folder itself keeps the <c>connection</c> file and a
/// note, <c>cluster</c>, naming where the data is.
/// </remarks>
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

    /// <summary>Where clusters started by root on a folder the <c>postgres</c> user cannot enter live.</summary>
    public const string RootClustersDirectory = "/var/lib/postgresql/crm";

    private EmbeddedPostgres(string binDirectory, string folder)
    {
        _binDirectory = binDirectory;
        Folder = folder;
        // PostgreSQL refuses to run as root; as root we run it as the 'postgres' system user
        // that Debian's postgresql package creates.
        _runAsPostgresUser = Environment.UserName == "root";
        RootDirectory = _runAsPostgresUser && !File.Exists(Path.Combine(folder, "pgdata", "PG_VERSION")) && !OthersCanEnter(folder)
            ? ClusterDirectoryFor(folder)
            : folder;
        _dataDirectory = Path.Combine(RootDirectory, "pgdata");
        _passwordFile = Path.Combine(RootDirectory, "pg-password");
    }

    /// <summary>The folder the cluster was started on: it holds the <c>connection</c> file.</summary>
    public string Folder { get; }

    /// <summary>
    /// The folder holding the cluster's data (<c>pgdata</c>), log (<c>postgres.log</c>) and password: <see cref="Folder"/>,
    /// or, as root on a folder the <c>postgres</c> user cannot enter, one under <see cref="RootClustersDirectory"/>.
    /// </summary>
    public string RootDirectory { get; }

    /// <summary>The loopback port the server listens on, once started.</summary>
    public int Port { get; private set; }

    /// <summary>Connection string to the <c>crm</c> database, once started.</summary>
    public string ConnectionString { get; private set; } = "";

    /// <summary>
    /// Finds the PostgreSQL server binaries, or throws with the one line a user needs:
    /// which Debian package to install.
    /// </summary>
    /// <exception cref="Commands.UserErrorException">initdb/pg_ctl are not installed.</exception>
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

        throw new Commands.UserErrorException(
            "PostgreSQL server binaries (initdb, pg_ctl) not found: install the Debian package 'postgresql' " +
            "(sudo apt-get install -y postgresql), or set ConnectionStrings:Warehouse to a PostgreSQL of your own.");
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

    /// <summary>
    /// The cluster folder root uses for <paramref name="folder"/>: its full path made into a name (readable, at most
    /// 60 characters) and a hash of it (unique), under <see cref="RootClustersDirectory"/>.
    /// </summary>
    internal static string ClusterDirectoryFor(string folder)
    {
        var full = Path.GetFullPath(folder).TrimEnd('/');
        var readable = new string([.. full.TrimStart('/').Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' ? c : '-')]);
        if (readable.Length > 60)
        {
            readable = readable[^60..];
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(full)))[..12];
        return Path.Combine(RootClustersDirectory, $"{readable}-{hash}");
    }

    /// <summary>Whether every existing folder above <paramref name="folder"/> lets other users through (o+x), as the <c>postgres</c> user needs.</summary>
    internal static bool OthersCanEnter(string folder)
    {
        for (var dir = Path.GetDirectoryName(Path.GetFullPath(folder)); !string.IsNullOrEmpty(dir); dir = Path.GetDirectoryName(dir))
        {
            if (Directory.Exists(dir) && (File.GetUnixFileMode(dir) & UnixFileMode.OtherExecute) == 0)
            {
                return false;
            }
        }

        return true;
    }

    private async Task StartCoreAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Folder);
        if (RootDirectory != Folder)
        {
            await CreateClusterDirectoryAsync(cancellationToken).ConfigureAwait(false);
        }
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
        // For a look from outside (psql); the dashboard runs in the same process as the worker and needs no file.
        var connectionFile = Path.Combine(Folder, "connection");
        await File.WriteAllTextAsync(connectionFile, ConnectionString, cancellationToken).ConfigureAwait(false);
        File.SetUnixFileMode(connectionFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    private async Task CreateClusterDirectoryAsync(CancellationToken cancellationToken)
    {
        // Owned by postgres, which creates pgdata and postgres.log there; root reads and writes anywhere.
        foreach (var dir in (string[])[RootClustersDirectory, RootDirectory])
        {
            if (!Directory.Exists(dir))
            {
                Directory.CreateDirectory(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                await ChownAsync(dir, recursive: false, cancellationToken).ConfigureAwait(false);
            }
        }

        // A note for whoever looks into the folder and wonders where the data is.
        await File.WriteAllTextAsync(Path.Combine(Folder, "cluster"),
            $"The embedded PostgreSQL of this folder runs as the 'postgres' user on the data in {RootDirectory}{Environment.NewLine}", cancellationToken).ConfigureAwait(false);
        await File.WriteAllTextAsync(Path.Combine(RootDirectory, "started-on"), Folder + Environment.NewLine, cancellationToken).ConfigureAwait(false);
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
            throw new Commands.UserErrorException(
                $"the embedded PostgreSQL: a server (pid {pid}) runs on {_dataDirectory} but does not accept our connection; stop it (kill {pid}), then start again.",
                Commands.UserErrorException.UnreachableExitCode);
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
        // Nobody should read the port of a server that is gone.
        File.Delete(Path.Combine(Folder, "connection"));
        try
        {
            await RunAsync("pg_ctl", ["-D", _dataDirectory, "-m", "fast", "-w", "-t", "60", "stop"], CancellationToken.None).ConfigureAwait(false);
        }
        catch (Commands.UserErrorException) when (File.Exists(Path.Combine(_dataDirectory, "postmaster.pid")))
        {
            // A fast stop still writes a checkpoint, which on a starved machine can outlast the wait. An
            // immediate stop loses nothing committed: the next start replays the write-ahead log.
            await RunAsync("pg_ctl", ["-D", _dataDirectory, "-m", "immediate", "-w", "-t", "60", "stop"], CancellationToken.None).ConfigureAwait(false);
        }
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
            // The tools change back to the folder they were started in: as 'postgres' that must be one
            // postgres may enter, not the caller's (a 0700 home, /root).
            WorkingDirectory = RootDirectory,
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
            var said = $"{(await stderr.ConfigureAwait(false)).Trim()} {(await stdout.ConfigureAwait(false)).Trim()}".Trim().ReplaceLineEndings(" ");
            throw new Commands.UserErrorException(
                $"the embedded PostgreSQL in {RootDirectory}: {tool} failed (exit {process.ExitCode}): {said}" +
                (tail.Length > 0 ? $" The end of {log}: {tail.ReplaceLineEndings(" | ")}" : "") +
                " Fix what it says, or set ConnectionStrings:Warehouse to a PostgreSQL of your own.",
                Commands.UserErrorException.UnreachableExitCode);
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
