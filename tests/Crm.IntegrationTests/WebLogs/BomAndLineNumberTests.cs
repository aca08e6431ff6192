using System.IO.Compression;
using System.Text;
using Crm.IntegrationTests.Infrastructure;

namespace Crm.IntegrationTests.WebLogs;

/// <summary>
/// Issue 16 item 5: a UTF-8 byte order mark is no part of a web log's first field, and quarantine line numbers and a
/// file's line count stay right when a segment ends inside the file (a new month does that) and when a later load
/// resumes the file where the last one committed (as a restart after a kill does).
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class BomAndLineNumberTests(PostgresCluster cluster) : IDisposable
{
    private static readonly byte[] Bom = [0xEF, 0xBB, 0xBF];
    private readonly string _dir = WebLogTestKit.TempDir();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task FileStartingWithABom_ItsFirstVisitorIsTheSameAsOnTheOtherLines()
    {
        var at = new DateTimeOffset(2024, 6, 1, 12, 0, 0, TimeSpan.Zero);
        var path = Path.Combine(_dir, "access.log");
        await File.WriteAllBytesAsync(path, [.. Bom, .. Encoding.UTF8.GetBytes(
            WebLogTestKit.Line("10.9.0.14", at, "/") + WebLogTestKit.Line("10.9.0.14", at.AddMinutes(1), "/shop") + WebLogTestKit.Line("10.9.0.15", at.AddMinutes(2), "/"))]);
        await using var ds = await cluster.CreateMigratedDatabaseAsync("bomplain");

        var counts = await WebLogTestKit.Ingester(ds).LoadAsync(WebLogTestKit.Site(), path);

        Assert.Equal((3L, 3L, 0L), (counts.Read, counts.Loaded, counts.Quarantined));
        Assert.Equal("10.9.0.14:2,10.9.0.15:1", await ds.ScalarAsync<string>(
            "select string_agg(client_ip || ':' || n, ',' order by client_ip) from (select client_ip, count(*) n from core.web_event group by client_ip) t"));
        Assert.Equal(2L, await ds.ScalarAsync<long>("select count(*) from core.web_session"));
    }

    [Fact]
    public async Task GzipOfTwoMembersEachStartingWithABom_NoLineKeepsIt()
    {
        // Two files saved by an editor that writes a BOM, compressed and joined with cat: each member starts with one.
        var at = new DateTimeOffset(2024, 6, 1, 12, 0, 0, TimeSpan.Zero);
        var clf = WebLogTestKit.Line("10.9.0.14", at, "/") + WebLogTestKit.Line("10.9.0.14", at.AddMinutes(1), "/cart");
        var path = Path.Combine(_dir, "access.log.gz");
        await using (var file = File.Create(path))
        {
            foreach (var text in new[] { clf, WebLogTestKit.Line("10.9.0.14", at.AddMinutes(2), "/pay") })
            {
                await using var gzip = new GZipStream(file, CompressionLevel.Fastest, leaveOpen: true);
                await gzip.WriteAsync(Bom);
                await gzip.WriteAsync(Encoding.UTF8.GetBytes(text));
            }
        }

        await using var ds = await cluster.CreateMigratedDatabaseAsync("bomgzip");

        var counts = await WebLogTestKit.Ingester(ds).LoadAsync(WebLogTestKit.Site(), path);

        Assert.Equal((3L, 3L, 0L), (counts.Read, counts.Loaded, counts.Quarantined));
        Assert.Equal("10.9.0.14:3", await ds.ScalarAsync<string>(
            "select string_agg(client_ip || ':' || n, ',') from (select client_ip, count(*) n from core.web_event group by client_ip) t"));
        Assert.Equal(1L, await ds.ScalarAsync<long>("select count(*) from core.web_session"));
    }

    [Fact]
    public async Task BadLinesAfterAMonthBoundary_AndAfterAResume_KeepTheirLineNumbers()
    {
        var may = new DateTimeOffset(2024, 5, 31, 23, 50, 0, TimeSpan.Zero);
        var lines = new List<string>();
        void Good(DateTimeOffset at) => lines.Add(WebLogTestKit.Line("203.0.113.7", at, "/p" + lines.Count));
        void Bad() => lines.Add("203.0.113.7 - - [01/Foo/2024:00:00:00 +0000] \"GET / HTTP/1.1\" 200 1 \"-\" \"x\"\n");
        for (var i = 0; i < 4; i++)
        {
            Good(may.AddMinutes(i));
        }

        Bad();
        Good(may.AddDays(1)); // June: a new month ends the segment here
        Good(may.AddDays(1).AddMinutes(1));
        Good(may.AddDays(1).AddMinutes(2));
        Bad();
        Good(may.AddDays(1).AddMinutes(3));
        var firstPart = lines.Count;
        // Appended after the first load, which the second resumes from its stored offset and line count.
        Good(may.AddDays(31)); // July
        Bad();
        Good(may.AddDays(62)); // August
        Bad();

        var path = Path.Combine(_dir, "access.log");
        WebLogTestKit.Append(path, string.Concat(lines.Take(firstPart)));
        await using var ds = await cluster.CreateMigratedDatabaseAsync("linenumbers");
        var ingester = WebLogTestKit.Ingester(ds);
        var site = WebLogTestKit.Site();

        await ingester.LoadAsync(site, path);
        Assert.Equal($"{Expected(lines, firstPart)}|{firstPart}", await NumbersAsync(ds));

        WebLogTestKit.Append(path, string.Concat(lines.Skip(firstPart)));
        await ingester.LoadAsync(site, path);
        Assert.Equal($"{Expected(lines, lines.Count)}|{lines.Count}", await NumbersAsync(ds));
        // Each quarantined line's number points at the line its raw text is.
        Assert.Equal(0L, await ds.ScalarAsync<long>("select count(*) from quarantine.record where raw_text not like '%01/Foo/2024%'"));
    }

    /// <summary>The 1-based numbers of the bad lines among the first <paramref name="count"/>, as the test wrote them.</summary>
    private static string Expected(List<string> lines, int count) =>
        string.Join(',', Enumerable.Range(0, count).Where(i => lines[i].Contains("/Foo/", StringComparison.Ordinal)).Select(i => i + 1));

    private static Task<string> NumbersAsync(Npgsql.NpgsqlDataSource ds) =>
        ds.ScalarAsync<string>(
            """
            select concat_ws('|', (select string_agg(line_number::text, ',' order by line_number) from quarantine.record),
                              (select line_count from ops.web_log_file))
            """);
}
