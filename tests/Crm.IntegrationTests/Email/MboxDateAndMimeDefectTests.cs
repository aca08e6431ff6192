using Crm.IntegrationTests.Infrastructure;
using Crm.Pipeline.Jobs;
using Crm.Pipeline.Sources;

namespace Crm.IntegrationTests.Email;

/// <summary>
/// Issue 16 item 6: an mbox message without a Date header is dated by its <c>From </c> separator line, not by the
/// load; a message whose multipart boundary is missing or never found is kept with its raw text and the defect named.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class MboxDateAndMimeDefectTests(PostgresCluster cluster) : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("crm-email-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [Fact]
    public async Task MboxMessagesWithoutDate_TakeTheirSeparatorLinesDate()
    {
        // The separator forms written by Postfix/mutt (asctime, no zone), Gmail's export (zone before the year),
        // and Thunderbird ("From - ").
        var mbox = Path.Combine(_temp, "inbox.mbox");
        await File.WriteAllTextAsync(mbox,
            """
            From anna@example.org Mon Nov  2 09:15:07 2026
            From: anna@example.org
            To: support@shop.example
            Subject: one

            first

            From 1680000000000000000@xxx Thu Sep 24 17:10:21 +0200 2026
            From: ben@example.org
            To: support@shop.example
            Subject: two

            second

            From - Sat Jan  3 01:05:34 2026
            From: cleo@example.org
            To: support@shop.example
            Subject: three

            third

            """.ReplaceLineEndings("\n"));
        await using var db = await cluster.CreateMigratedDatabaseAsync("mbox_dates");

        var results = await EmailTestKit.Files(db).IngestAsync([mbox], null, NullProgressSink.Instance, CancellationToken.None);

        Assert.Equal(new IngestCounts(3, 3, 0, 0), results.Single().Counts);
        Assert.Equal(
            "anna@example.org 2026-11-02 09:15:07 t,ben@example.org 2026-09-24 15:10:21 t,cleo@example.org 2026-01-03 01:05:34 t",
            await db.ScalarAsync<string>(
                """
                select string_agg(from_address || ' ' || to_char(sent_at at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS') || ' ' || date_missing::text::char,
                                  ',' order by from_address)
                  from core.email
                """));
    }

    [Fact]
    public async Task MboxMessageWithBrokenHeaders_IsQuarantinedAlone_AndTheMessagesAfterItLoad()
    {
        const string First = "From a@example.org Mon Nov  2 09:15:07 2026\nFrom: a@example.org\nSubject: one\n\nfirst\n\n";
        const string Broken = "From b@example.org Mon Nov  2 09:16:07 2026\nthis is not a header\nFrom: b@example.org\n\nsecond\n\n";
        const string Third = "From c@example.org Mon Nov  2 09:17:07 2026\nFrom: c@example.org\nSubject: three\n\nthird\n";
        var mbox = Path.Combine(_temp, "broken.mbox");
        await File.WriteAllTextAsync(mbox, First + Broken + Third);
        await using var db = await cluster.CreateMigratedDatabaseAsync("mbox_broken");

        var results = await EmailTestKit.Files(db).IngestAsync([mbox], null, NullProgressSink.Instance, CancellationToken.None);

        Assert.Equal(new IngestCounts(3, 2, 1, 0), results.Single().Counts);
        Assert.Equal($"one:{mbox}@0,three:{mbox}@{First.Length + Broken.Length}", await db.ScalarAsync<string>(
            "select string_agg(subject || ':' || source_location, ',' order by subject) from core.email"));
        Assert.Equal("third", await db.ScalarAsync<string>("select body_text from core.email where subject = 'three'"));
        // The quarantined row holds the broken message, up to the next separator.
        var raw = await db.ScalarAsync<string>("select raw_text from quarantine.record where reason like 'unparseable mbox data%'");
        Assert.Contains("this is not a header", raw, StringComparison.Ordinal);
        Assert.DoesNotContain("three", raw, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MultipartWhoseBoundaryIsWrongOrMissing_IsKeptWithItsTextAndTheDefectNamed()
    {
        const string Headers = "From: dora@example.org\r\nTo: support@shop.example\r\nDate: Tue, 03 Nov 2026 10:00:00 +0100\r\nMIME-Version: 1.0\r\n";
        const string Parts = "--other\r\nContent-Type: text/plain\r\n\r\nPlease cancel my subscription.\r\n--other--\r\n";
        var wrong = Path.Combine(_temp, "wrong.eml");
        var missing = Path.Combine(_temp, "missing.eml");
        var good = Path.Combine(_temp, "good.eml");
        await File.WriteAllTextAsync(wrong, Headers + "Subject: wrong\r\nContent-Type: multipart/mixed; boundary=\"expected\"\r\n\r\n" + Parts);
        await File.WriteAllTextAsync(missing, Headers + "Subject: missing\r\nContent-Type: multipart/mixed\r\n\r\n" + Parts);
        await File.WriteAllTextAsync(good, Headers + "Subject: good\r\nContent-Type: multipart/mixed; boundary=\"other\"\r\n\r\n" + Parts);
        await using var db = await cluster.CreateMigratedDatabaseAsync("mime_defect");

        var results = await EmailTestKit.Files(db).IngestAsync([_temp], null, NullProgressSink.Instance, CancellationToken.None);

        Assert.Equal(new IngestCounts(3, 3, 0, 0), results.Aggregate(default(IngestCounts), (a, r) => a + r.Counts));
        var rows = await db.ScalarAsync<string>(
            """
            select string_agg(concat_ws('|', subject, coalesce(mime_defect, '-'), body_text like '%Please cancel my subscription.%',
                                        array_to_string(intents, ',')), E'\n' order by subject)
              from core.email
            """);
        Assert.Equal(
            """
            good|-|t|cancellation
            missing|multipart/mixed without a boundary parameter: its parts are not separated|t|cancellation
            wrong|multipart/mixed boundary "expected" never appears in its content: its parts are not separated|t|cancellation
            """.ReplaceLineEndings("\n"), rows);
    }
}
