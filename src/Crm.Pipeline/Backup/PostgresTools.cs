using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace Crm.Pipeline.Backup;

/// <summary>
/// Finds and runs PostgreSQL's client tools (<c>pg_dump</c>, <c>pg_restore</c>) of a given major version: the server's own,
/// so that a dump is read and written by the tool made for that server. Looked for in <c>CRM_PG_BIN</c>, Debian's
/// <c>/usr/lib/postgresql/&lt;major&gt;/bin</c>, then <c>PATH</c>. The password goes to the tool in <c>PGPASSWORD</c>, never
/// on its command line (where <c>ps</c> would show it).
/// </summary>
public static class PostgresTools
{
    /// <summary>The server's major version (15 for 15.4) behind <paramref name="dataSource"/>.</summary>
    public static async Task<int> ServerMajorAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("select current_setting('server_version_num')::int / 10000");
        return (int)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    /// <summary>
    /// The path of <paramref name="tool"/> of major version <paramref name="major"/>; a newer one only if that major is not
    /// installed (a newer pg_dump reads older servers, a newer pg_restore older dumps).
    /// </summary>
    /// <exception cref="SnapshotException">No such tool of that major or newer is installed.</exception>
    public static string Find(string tool, int major)
    {
        var candidates = new List<string>();
        if (Environment.GetEnvironmentVariable("CRM_PG_BIN") is { Length: > 0 } configured)
        {
            candidates.Add(configured);
        }

        candidates.Add($"/usr/lib/postgresql/{major}/bin");
        if (Directory.Exists("/usr/lib/postgresql"))
        {
            candidates.AddRange(Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => (Dir: d, Version: int.TryParse(Path.GetFileName(d), out var v) ? v : 0))
                .Where(d => d.Version > major)
                .OrderBy(d => d.Version)
                .Select(d => Path.Combine(d.Dir, "bin")));
        }

        candidates.AddRange((Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries));
        foreach (var dir in candidates)
        {
            var path = Path.Combine(dir, tool);
            if (File.Exists(path) && ToolMajor(path) is { } found && found >= major)
            {
                return path;
            }
        }

        throw new SnapshotException(
            $"{tool} of PostgreSQL {major} (the warehouse server's version) is not installed: install the Debian package " +
            $"'postgresql-client-{major}' (or 'postgresql'), or set CRM_PG_BIN to the folder holding it.");
    }

    /// <summary>The major version a tool reports (<c>pg_dump (PostgreSQL) 15.4</c> → 15), or null when it does not run.</summary>
    private static int? ToolMajor(string path)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(path, "--version") { RedirectStandardOutput = true, UseShellExecute = false });
            if (process is null)
            {
                return null;
            }

            var text = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            var version = text.Trim().Split(' ').LastOrDefault() ?? "";
            var majorText = new string([.. version.TakeWhile(char.IsAsciiDigit)]);
            return int.TryParse(majorText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var m) ? m : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    /// <summary>
    /// Runs <paramref name="exe"/> with <paramref name="arguments"/> against the database of <paramref name="connectionString"/>
    /// (host, port, user, database and TLS mode as <c>PG*</c> variables). Returns its standard error when it fails, else null.
    /// </summary>
    public static async Task<string?> RunAsync(string exe, IEnumerable<string> arguments, string connectionString, CancellationToken cancellationToken)
    {
        var b = new NpgsqlConnectionStringBuilder(connectionString);
        var info = new ProcessStartInfo(exe)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in arguments)
        {
            info.ArgumentList.Add(a);
        }

        info.Environment["PGHOST"] = b.Host ?? "127.0.0.1";
        info.Environment["PGPORT"] = b.Port.ToString(CultureInfo.InvariantCulture);
        info.Environment["PGDATABASE"] = b.Database ?? "";
        info.Environment["PGUSER"] = b.Username ?? Environment.UserName;
        info.Environment["PGAPPNAME"] = "crm backup";
        if (b.Password is { Length: > 0 } password)
        {
            info.Environment["PGPASSWORD"] = password;
        }

        info.Environment["PGSSLMODE"] = b.SslMode switch
        {
            SslMode.Disable => "disable",
            SslMode.Require => "require",
            SslMode.VerifyCA => "verify-ca",
            SslMode.VerifyFull => "verify-full",
            _ => "prefer",
        };

        using var process = Process.Start(info) ?? throw new SnapshotException($"could not start {exe}");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        _ = await stdout.ConfigureAwait(false);
        var said = (await stderr.ConfigureAwait(false)).Trim();
        return process.ExitCode == 0 ? null : $"{Path.GetFileName(exe)} exit {process.ExitCode}: {said.ReplaceLineEndings(" | ")}";
    }
}
