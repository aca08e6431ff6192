using System.Text;
using Crm.IntegrationTests.Infrastructure;

namespace Crm.IntegrationTests.WebLogs;

/// <summary>Every kind of bad line is quarantined with its offset, raw text and reason; the run goes on.</summary>
[Collection(PostgresCollection.Name)]
public sealed class MalformedLineTests(PostgresCluster cluster)
{
    [Fact]
    public async Task MalformedLines_AreQuarantinedWithOffsetAndReason_GoodLinesLoad()
    {
        var at = new DateTimeOffset(2024, 6, 1, 12, 0, 0, TimeSpan.FromHours(2));
        var good = WebLogTestKit.Line("203.0.113.1", at, "/ok");
        var bad = new (string Name, byte[] Bytes, string Reason)[]
        {
            ("bad date", Encoding.UTF8.GetBytes("203.0.113.1 - - [31/Foo/2024:12:00:00 +0200] \"GET / HTTP/1.1\" 200 1 \"-\" \"x\"\n"), "bad timestamp"),
            ("impossible date", Encoding.UTF8.GetBytes("203.0.113.1 - - [31/Feb/2024:12:00:00 +0200] \"GET / HTTP/1.1\" 200 1 \"-\" \"x\"\n"), "bad timestamp"),
            ("unterminated quote", Encoding.UTF8.GetBytes("203.0.113.1 - - [01/Jun/2024:12:00:00 +0200] \"GET / HTTP/1.1\" 200 1 \"-\" \"Mozilla/5.0 (compatible; Googlebot/2.1;\n"), "unterminated"),
            ("binary garbage", [0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03, 0xff, 0xfe, (byte)'\n'], "binary"),
            ("bad status", Encoding.UTF8.GetBytes("203.0.113.1 - - [01/Jun/2024:12:00:00 +0200] \"GET / HTTP/1.1\" 2x0 1 \"-\" \"x\"\n"), "status"),
            ("bad bytes", Encoding.UTF8.GetBytes("203.0.113.1 - - [01/Jun/2024:12:00:00 +0200] \"GET / HTTP/1.1\" 200 12k \"-\" \"x\"\n"), "byte count"),
            ("truncated line", Encoding.UTF8.GetBytes("203.0.113.1 - - [01/Jun/2024:12:0\n"), "timestamp"),
            ("1 MB line", Encoding.UTF8.GetBytes("203.0.113.1 - - [01/Jun/2024:12:00:00 +0200] \"GET /" + new string('a', 1 << 20) + " HTTP/1.1\" 200 1 \"-\" \"x\"\n"), "exceeds"),
        };

        var dir = WebLogTestKit.TempDir();
        var path = Path.Combine(dir, "access.log");
        var expectedOffsets = new List<long>();
        await using (var file = File.Create(path))
        {
            foreach (var (_, bytes, _) in bad)
            {
                file.Write(Encoding.UTF8.GetBytes(good));
                expectedOffsets.Add(file.Position);
                file.Write(bytes);
            }

            file.Write(Encoding.UTF8.GetBytes(good));
        }

        await using var ds = await cluster.CreateMigratedDatabaseAsync("malformed");
        var counts = await WebLogTestKit.Ingester(ds).LoadAsync(WebLogTestKit.Site(), path);

        Assert.Equal(bad.Length + 1, counts.Loaded);
        Assert.Equal(bad.Length, counts.Quarantined);
        await using var command = ds.CreateCommand("select byte_offset, reason, raw_length, unit_path from quarantine.record order by byte_offset");
        await using var reader = await command.ExecuteReaderAsync();
        for (var i = 0; i < bad.Length; i++)
        {
            Assert.True(await reader.ReadAsync());
            Assert.Equal(expectedOffsets[i], reader.GetInt64(0));
            Assert.Contains(bad[i].Reason, reader.GetString(1), StringComparison.Ordinal);
            Assert.Equal(path, reader.GetString(3));
        }

        Assert.Equal(new DateTime(2024, 6, 1, 10, 0, 0, DateTimeKind.Utc), await ds.ScalarAsync<DateTime>("select min(event_ts) from core.web_event"));
    }
}
