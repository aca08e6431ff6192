using System.Diagnostics;
using Crm.IntegrationTests.Infrastructure;
using Npgsql;

namespace Crm.IntegrationTests.Settings;

/// <summary>
/// A user's mistake is one line that names the setting or file and what to do, with exit code 2 (usage, settings)
/// or 3 (a dependency that cannot be reached), and no stack trace. Runs the real crm command line.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class UserErrorTests(PostgresCluster cluster) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("crm-usererr-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private async Task<(int ExitCode, string Output)> CrmAsync(string? warehouse, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = _folder };
        info.ArgumentList.Add(CrmProcess.Dll);
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        info.Environment["ConnectionStrings__Warehouse"] = warehouse ?? "";
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(cts.Token);
        return (process.ExitCode, (await stdout) + (await stderr));
    }

    private static void AssertOneLine(string output, int exitCode, int expectedExit, params string[] mentions)
    {
        Assert.Equal(expectedExit, exitCode);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Single(lines);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", output, StringComparison.Ordinal);
        foreach (var m in mentions)
        {
            Assert.Contains(m, output, StringComparison.Ordinal);
        }
    }

    private NpgsqlConnectionStringBuilder Server() => new(cluster.Server.ConnectionString);

    [Fact]
    public async Task A_refused_connection_names_the_setting_and_exits_3()
    {
        var (code, output) = await CrmAsync("Host=127.0.0.1;Port=1;Username=x;Password=y;Database=z", "migrate");
        AssertOneLine(output, code, 3, "ConnectionStrings:Warehouse", "127.0.0.1:1", "connection refused");
    }

    [Fact]
    public async Task A_wrong_password_names_the_setting_and_exits_2()
    {
        var b = Server();
        b.Password = "wrong-" + b.Password;
        var (code, output) = await CrmAsync(b.ConnectionString, "migrate");
        AssertOneLine(output, code, 2, "ConnectionStrings:Warehouse", "password", $"'{b.Username}'");
        Assert.DoesNotContain(b.Password, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_database_names_the_setting_and_exits_2()
    {
        var b = Server();
        b.Database = "no_such_db_here";
        var (code, output) = await CrmAsync(b.ConnectionString, "migrate");
        AssertOneLine(output, code, 2, "ConnectionStrings:Warehouse", "no_such_db_here", "createdb");
    }

    [Fact]
    public async Task An_unknown_host_names_the_setting_and_exits_3()
    {
        var (code, output) = await CrmAsync("Host=no-such-host.invalid;Username=x;Password=y;Database=z", "migrate");
        AssertOneLine(output, code, 3, "ConnectionStrings:Warehouse", "no-such-host.invalid");
    }

    [Fact]
    public async Task A_malformed_connection_string_names_the_setting_and_exits_2()
    {
        var (code, output) = await CrmAsync("Hots=127.0.0.1;Username=x", "migrate");
        AssertOneLine(output, code, 2, "ConnectionStrings:Warehouse", "Host=");
    }

    [Fact]
    public async Task A_broken_settings_file_names_file_line_and_column_and_exits_2()
    {
        var file = Path.Combine(_folder, "broken.json");
        await File.WriteAllTextAsync(file, "{\n  \"Crm\": {\n    \"Orders\": ,\n  }\n}\n");
        var (code, output) = await CrmAsync(null, "migrate", "--config", file);
        // The comma on line 3 is where the JSON goes wrong (line numbers count from 1).
        AssertOneLine(output, code, 2, file, "line 3");
    }

    [Fact]
    public async Task A_missing_settings_file_is_named_and_exits_2()
    {
        var (code, output) = await CrmAsync(null, "migrate", "--config", "nope.json");
        AssertOneLine(output, code, 2, "nope.json", "no such file");
    }

    [Fact]
    public async Task An_unknown_stage_lists_the_stages_and_exits_2()
    {
        var (code, output) = await CrmAsync(null, "run", "ordres");
        AssertOneLine(output, code, 2, "'ordres'", "orders", "nightly");
    }

    [Fact]
    public async Task An_unknown_command_points_to_help_and_exits_2()
    {
        var (code, output) = await CrmAsync(null, "frobnicate");
        AssertOneLine(output, code, 2, "frobnicate", "crm --help");
    }

    [Fact]
    public async Task A_value_of_the_wrong_kind_says_what_the_option_takes_without_a_type_name_and_exits_2()
    {
        var (code, output) = await CrmAsync(null, "generate", "--dropout", "sometimes", "--out", Path.Combine(_folder, "gen"));
        AssertOneLine(output, code, 2, "'sometimes'", "--dropout", "one of bgnbd, engagement");
        Assert.DoesNotContain("Crm.Synthetic", output, StringComparison.Ordinal);

        (code, output) = await CrmAsync(null, "generate", "--days", "abc", "--out", Path.Combine(_folder, "gen"));
        AssertOneLine(output, code, 2, "'abc'", "--days", "a whole number");
        Assert.DoesNotContain("System.Int32", output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_folder, "gen")));
    }

    [Fact]
    public async Task A_wrong_setting_is_named_before_anything_runs_and_exits_2()
    {
        var file = Path.Combine(_folder, "bad.json");
        await File.WriteAllTextAsync(file, """{ "Crm": { "Clv": { "HorizonDays": 0 }, "Segments": { "Clusters": 1 } } }""");
        var (code, output) = await CrmAsync("Host=127.0.0.1;Port=1;Username=x;Password=y;Database=z", "run", "clv", "--config", file);
        Assert.Equal(2, code);
        Assert.Contains("Crm:Clv:HorizonDays", output, StringComparison.Ordinal);
        Assert.Contains("Crm:Segments:Clusters", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
        // Checked before connecting: the unreachable warehouse is not what the user hears about first.
        Assert.DoesNotContain("connection refused", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Crm_check_lists_findings_and_ends_with_the_counts()
    {
        var orders = Directory.CreateDirectory(Path.Combine(_folder, "orders")).FullName;
        await File.WriteAllTextAsync(Path.Combine(orders, "2024-01.csv"), "id,date,email,price\n1,2024-01-02,a@example.com,5\n");
        await File.WriteAllTextAsync(Path.Combine(orders, "2024-02.csv"), "id,date,email,price\n2,2024-02-02,b@example.com,7\n");
        var file = Path.Combine(_folder, "check.json");
        await File.WriteAllTextAsync(file, $$"""
            { "Crm": {
                "Orders": { "Feeds": [
                  { "Name": "shop", "Folder": "{{orders}}", "Pattern": "*.csv", "Format": "csv",
                    "Columns": { "order_id": "id", "order_date": "date", "email": "email", "unit_price": "price" } },
                  { "Name": "old", "Folder": "{{orders}}", "Pattern": "*.csv", "Format": "csv", "TimeZone": "Europe/Berlinn",
                    "Columns": { "order_id": "id", "order_date": "date", "email": "email", "unit_price": "price" } } ] },
                "Reports": { "Smtp": { "Host": "127.0.0.1", "Port": 1, "Security": "none" } },
                "Schedules": [ { "Name": "night", "Job": "nightly", "Cron": "0 30 2 * * ?", "TimeZone": "Asia/Tokyo" } ] } }
            """);
        var db = await cluster.CreateDatabaseAsync("check");
        var (code, output) = await CrmAsync(db, "check", "--config", file);
        Assert.Equal(1, code);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
        Assert.Contains(lines, l => l.StartsWith("ERROR", StringComparison.Ordinal) && l.Contains("Crm:Orders:Feeds:1:TimeZone 'Europe/Berlinn'", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("ok", StringComparison.Ordinal) && l.Contains("PostgreSQL", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("migrations", StringComparison.Ordinal) && l.Contains("pending", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("order feed 'shop'", StringComparison.Ordinal) && l.Contains("2 file(s)", StringComparison.Ordinal) && l.Contains("2024-01.csv, 2024-02.csv", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("ERROR", StringComparison.Ordinal) && l.Contains("SMTP server 127.0.0.1:1", StringComparison.Ordinal));

        // 02:30 in Tokyo (UTC+9, no daylight saving) is 17:30 UTC the day before: the next three such instants.
        var now = DateTimeOffset.UtcNow;
        var first = new DateTimeOffset(now.Year, now.Month, now.Day, 17, 30, 0, TimeSpan.Zero);
        if (first <= now)
        {
            first = first.AddDays(1);
        }

        var expected = string.Join("; ", Enumerable.Range(0, 3).Select(d => first.AddDays(d).ToOffset(TimeSpan.FromHours(9))
            .ToString("ddd yyyy-MM-dd HH:mm zzz", System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Contains(lines, l => l.Contains("schedule 'night'", StringComparison.Ordinal) && l.EndsWith(expected, StringComparison.Ordinal));

        var errors = lines.Count(l => l.StartsWith("ERROR", StringComparison.Ordinal));
        var warnings = lines.Count(l => l.StartsWith("warn", StringComparison.Ordinal));
        var oks = lines.Count(l => l.StartsWith("ok ", StringComparison.Ordinal));
        Assert.Equal($"{oks} ok, {warnings} warnings, {errors} errors", lines[^1]);
    }
}
