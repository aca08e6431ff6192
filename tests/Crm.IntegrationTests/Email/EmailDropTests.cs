using System.Security.Cryptography;
using System.Text;
using Crm.IntegrationTests.Infrastructure;
using Crm.Pipeline.Jobs;
using Crm.Pipeline.Sources;

namespace Crm.IntegrationTests.Email;

/// <summary>.eml, Maildir and mbox drops into the warehouse (issue 6).</summary>
[Collection(PostgresCollection.Name)]
public sealed class EmailDropTests(PostgresCluster cluster) : IDisposable
{
    private static readonly string DemoMail = Path.Combine(TestData.RepositoryRoot, "src", "Crm.Worker", "demo", "email");
    private readonly string _temp = Directory.CreateTempSubdirectory("crm-email-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    /// <summary>MimeKit's test messages, vendored under <c>tests/data/email/mimekit</c> (see its README).</summary>
    private static string SharedEmailData() => Path.Combine(TestData.PublicData, "email", "mimekit");

    private static IngestCounts Sum(IEnumerable<UnitResult> results) => results.Aggregate(default(IngestCounts), (a, r) => a + r.Counts);

    [Fact]
    public async Task DemoSample_BuildsThreadsWithFirstResponseTimes_IntentsAndEmailIdentities()
    {
        await using var db = await cluster.CreateMigratedDatabaseAsync("email_demo");
        var ingester = EmailTestKit.Files(db);

        var results = await ingester.IngestAsync([DemoMail], null, NullProgressSink.Instance, CancellationToken.None);

        // 7 .eml files and an mbox of 3 (see demo/email/README.md).
        Assert.Equal(new IngestCounts(10, 10, 0, 0), Sum(results));
        Assert.Equal(3, await db.ScalarAsync<int>("select count(*) from core.email where direction = 'outbound'"));

        // German thread: complaint 08:12, staff answer 10:47 (+01:00) → 2 h 35 min.
        Assert.Equal(3, await db.ScalarAsync<int>("select message_count from core.email_thread where thread_key = 'anna-1@example.de'"));
        Assert.Equal(9300L, await db.ScalarAsync<long>("select first_response_seconds from core.email_thread where thread_key = 'anna-1@example.de'"));
        Assert.Equal("Reklamation: Wasserkocher kaputt", await db.ScalarAsync<string>("select subject from core.email where message_id = 'anna-1@example.de'"));
        Assert.Equal("complaint,praise,refund", await db.ScalarAsync<string>("select array_to_string(intents, ',') from core.email_thread where thread_key = 'anna-1@example.de'"));

        // French thread, reply linked by In-Reply-To only: Sat 18:30 → Mon 09:02 = 38 h 32 min.
        Assert.Equal(138720L, await db.ScalarAsync<long>("select first_response_seconds from core.email_thread where thread_key = 'jd-77@example.fr'"));
        Assert.Equal("jd-77@example.fr", await db.ScalarAsync<string>("select thread_key from core.email where message_id = 'staff-102@shop.example'"));
        // "arrivée cassée" is a complaint, "remboursement" a refund request.
        Assert.Equal("complaint,refund", await db.ScalarAsync<string>("select array_to_string(intents, ',') from core.email where message_id = 'jd-77@example.fr'"));
        Assert.Equal("photo-poele.jpg|image/jpeg", await db.ScalarAsync<string>("select (attachments->0->>'name') || '|' || (attachments->0->>'type') from core.email where message_id = 'jd-77@example.fr'"));
        Assert.Equal("j.dupont@example.fr", await db.ScalarAsync<string>("select from_address from core.email where message_id = 'jd-77@example.fr'"));
        var jeanText = await db.ScalarAsync<string>("select body_text from core.email where message_id = 'jd-77@example.fr'");
        Assert.Contains("poêle de la commande A-1008", jeanText, StringComparison.Ordinal);
        Assert.DoesNotContain("<", jeanText, StringComparison.Ordinal);

        // Quoted replies are split off the new text.
        Assert.DoesNotContain("Wasserkocher aus Bestellung", await db.ScalarAsync<string>("select body_text from core.email where message_id = 'staff-101@shop.example'"), StringComparison.Ordinal);
        Assert.Contains("> der rote Wasserkocher", await db.ScalarAsync<string>("select quoted_text from core.email where message_id = 'staff-101@shop.example'"), StringComparison.Ordinal);

        // The mbox thread: 10:00 +09:00 (01:00Z) answered 05:10 +01:00 (04:10Z).
        Assert.Equal(11400L, await db.ScalarAsync<long>("select first_response_seconds from core.email_thread where thread_key = 'ks-1@example.jp'"));
        Assert.Equal("praise", await db.ScalarAsync<string>("select array_to_string(intents, ',') from core.email_thread where thread_key = 'ks-1@example.jp'"));

        // Spanish cancellation, unanswered; English complaint without Date (Received stamp used, flagged).
        // "Quiero cancelar" is a cancellation, "todavía no he recibido" a complaint.
        Assert.Equal("cancellation,complaint", await db.ScalarAsync<string>("select array_to_string(intents, ',') from core.email where message_id = 'mg-3@example.es'"));
        Assert.Equal(0, await db.ScalarAsync<int>("select count(*) from core.email_thread where thread_key = 'mg-3@example.es' and first_response_at is not null"));
        Assert.True(await db.ScalarAsync<bool>("select date_missing from core.email where message_id = 'sob-1@example.ie'"));
        Assert.Equal(new DateTime(2026, 11, 22, 11, 0, 0, DateTimeKind.Utc), await db.ScalarAsync<DateTime>("select sent_at from core.email where message_id = 'sob-1@example.ie'"));
        Assert.Equal("complaint", await db.ScalarAsync<string>("select array_to_string(intents, ',') from core.email where message_id = 'sob-1@example.ie'"));

        // Every external address (senders and recipients, never staff) is an email identity.
        Assert.Equal(
            "anna.schmidt@example.de,j.dupont@example.fr,kenji@example.jp,maria.garcia@example.es,marie.dupont@example.fr,o.brien@example.ie,p.novak@example.cz",
            await db.ScalarAsync<string>("select string_agg(source_customer_id, ',' order by source_customer_id) from core.source_customer where source = 'email'"));
        Assert.Equal("García, María", await db.ScalarAsync<string>("select customer_name from core.source_customer where source = 'email' and email = 'maria.garcia@example.es'"));
        Assert.Equal("Petr Novák", await db.ScalarAsync<string>("select customer_name from core.source_customer where source = 'email' and email = 'p.novak@example.cz'"));

        // Loading the same drop again changes nothing.
        var again = await ingester.IngestAsync([DemoMail], null, NullProgressSink.Instance, CancellationToken.None);
        Assert.All(again, r => Assert.StartsWith("skipped", r.Outcome, StringComparison.Ordinal));
        Assert.Equal(10, await db.ScalarAsync<int>("select count(*) from core.email"));
    }

    [Fact]
    public async Task MessageDeliveredTwice_InAnotherFileAndInAnMbox_CountsAsDuplicate()
    {
        await using var db = await cluster.CreateMigratedDatabaseAsync("email_twice");
        var original = await File.ReadAllTextAsync(Path.Combine(DemoMail, "eml", "01-anna-complaint.eml"));
        var first = Path.Combine(_temp, "a.eml");
        var second = Path.Combine(_temp, "b.eml");
        var mbox = Path.Combine(_temp, "c.mbox");
        await File.WriteAllTextAsync(first, original);
        // The second delivery went through another relay: an extra Received line, other file name.
        await File.WriteAllTextAsync(second, "Received: from relay2.example by mx.shop.example; Mon, 23 Nov 2026 08:13:00 +0100\r\n" + original);
        await File.WriteAllTextAsync(mbox, "From anna.schmidt@example.de Mon Nov 23 08:12:00 2026\n" + original.Replace("\r\n", "\n", StringComparison.Ordinal) + "\n");

        var results = await EmailTestKit.Files(db).IngestAsync([first, second, mbox], null, NullProgressSink.Instance, CancellationToken.None);

        Assert.Equal(new IngestCounts(3, 1, 0, 2), Sum(results));
        Assert.Equal(1, await db.ScalarAsync<int>("select count(*) from core.email"));
        Assert.Equal(3, await db.ScalarAsync<int>("select count(*) from ops.ingest_ledger where source = 'email'"));
    }

    [Fact]
    public async Task MimeKitTestMessages_EachLoadsOrIsQuarantinedWithAReason()
    {
        var folder = SharedEmailData();
        // Expected from the folder itself: one message per file, and the mbox's "From " lines.
        var files = Directory.GetFiles(folder, "*", SearchOption.AllDirectories);
        var mboxFile = files.Single(f => f.EndsWith("simple.mbox.txt", StringComparison.Ordinal));
        var mboxMessages = File.ReadLines(mboxFile).Count(l => l.StartsWith("From ", StringComparison.Ordinal));
        var expected = files.Length - 1 + mboxMessages;
        await using var db = await cluster.CreateMigratedDatabaseAsync("email_mimekit");

        var results = await EmailTestKit.Files(db).IngestAsync([folder], null, NullProgressSink.Instance, CancellationToken.None);

        Assert.Equal(files.Length, results.Count);
        Assert.All(results, r => Assert.Null(r.Error));
        var total = Sum(results);
        Assert.Equal(expected, total.Read);
        Assert.True(total.Reconciles);
        Assert.Equal(total.Loaded, await db.ScalarAsync<long>("select count(*) from core.email"));
        Assert.Equal(total.Quarantined, await db.ScalarAsync<long>("select count(*) from quarantine.record where source = 'email' and reason <> '' and unit_path is not null"));
        // japanese.txt: the ISO-2022-JP subject decodes (code-page provider registered).
        Assert.StartsWith("日本語", await db.ScalarAsync<string>("select subject from core.email where source_location like '%japanese.txt'"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task MalformedMessages_LoadOrQuarantine_AndNothingIsLost()
    {
        var dir = Directory.CreateDirectory(Path.Combine(_temp, "maildir", "cur")).FullName;
        Directory.CreateDirectory(Path.Combine(_temp, "maildir", "tmp"));
        var latin1 = Encoding.Latin1;
        // 8-bit headers: a UTF-8 subject and a Latin-1 display name, no encoded words.
        await File.WriteAllBytesAsync(Path.Combine(dir, "1700000000.M1P1.host:2,S"), [
            .. latin1.GetBytes("From: J"), 0xFC, .. latin1.GetBytes("rgen <juergen@example.de>\r\nTo: support@shop.example\r\n"),
            .. Encoding.UTF8.GetBytes("Subject: Grüße aus Köln\r\nDate: Tue, 03 Nov 2026 10:00:00 +0100\r\nMessage-ID: <8bit@example.de>\r\n\r\nHallo!\r\n")]);
        // No Date, no Message-ID.
        await File.WriteAllTextAsync(Path.Combine(dir, "1700000001.M2P1.host:2,"), "From: nodate@example.org\r\nTo: support@shop.example\r\nSubject: no date\r\n\r\nbody\r\n");
        // Broken MIME: unterminated multipart, bad base64, missing boundary parameter in a part.
        await File.WriteAllTextAsync(Path.Combine(dir, "1700000002.M3P1.host:2,"),
            "From: broken@example.org\r\nTo: support@shop.example\r\nSubject: invoice\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"zz\"\r\n\r\n--zz\r\nContent-Type: text/plain\r\n\r\nI want a refund\r\n--zz\r\nContent-Type: application/pdf; name=x.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!not base64%%%\r\n--zz\r\nContent-Type: multipart/alternative\r\n\r\nno boundary here\r\n");
        // Not a message at all, and a message with no sender.
        await File.WriteAllBytesAsync(Path.Combine(dir, "1700000003.M4P1.host:2,"), RandomNumberGenerator.GetBytes(3000));
        await File.WriteAllTextAsync(Path.Combine(dir, "1700000004.M5P1.host:2,"), "To: support@shop.example\r\nSubject: who sent this\r\n\r\nbody\r\n");
        // A delivery still being written (Maildir tmp/) is not read.
        await File.WriteAllTextAsync(Path.Combine(_temp, "maildir", "tmp", "partial"), "From: partial@example.org\r\n");
        await using var db = await cluster.CreateMigratedDatabaseAsync("email_malformed");

        var results = await EmailTestKit.Files(db).IngestAsync([Path.Combine(_temp, "maildir")], null, NullProgressSink.Instance, CancellationToken.None);

        Assert.Equal(new IngestCounts(5, 3, 2, 0), Sum(results));
        Assert.Equal("Grüße aus Köln", await db.ScalarAsync<string>("select subject from core.email where message_id = '8bit@example.de'"));
        Assert.Equal("Jürgen", await db.ScalarAsync<string>("select from_name from core.email where message_id = '8bit@example.de'"));
        Assert.Equal(1, await db.ScalarAsync<int>("select count(*) from core.email where from_address = 'nodate@example.org' and date_missing and message_id is null"));
        Assert.Equal("refund", await db.ScalarAsync<string>("select array_to_string(intents, ',') from core.email where from_address = 'broken@example.org'"));
        Assert.Equal(1, await db.ScalarAsync<int>("select count(*) from quarantine.record where reason = 'no From address' and unit_path like '%M5P1%'"));
        Assert.Equal(2, await db.ScalarAsync<int>("select count(*) from quarantine.record where raw_length > 0 and byte_offset = 0"));
    }

    [Fact]
    public async Task FiftyMegabyteAttachment_IsMeasuredByStreaming_NotHeldInMemory()
    {
        const int attachmentBytes = 50 * 1024 * 1024;
        var path = Path.Combine(_temp, "big.eml");
        await using (var file = new StreamWriter(path, false, Encoding.ASCII))
        {
            await file.WriteAsync("From: big@example.org\r\nTo: support@shop.example\r\nSubject: big file\r\nMessage-ID: <big@example.org>\r\nDate: Tue, 03 Nov 2026 10:00:00 +0100\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nsee attachment\r\n--b\r\nContent-Type: application/octet-stream; name=\"big.bin\"\r\nContent-Transfer-Encoding: base64\r\n\r\n");
            var chunk = new byte[57 * 1024]; // 57 bytes → one 76-char base64 line
            for (var written = 0; written < attachmentBytes; written += chunk.Length)
            {
                var n = Math.Min(chunk.Length, attachmentBytes - written);
                chunk.AsSpan(0, n).Fill((byte)(written / chunk.Length));
                for (var line = 0; line < n; line += 57)
                {
                    await file.WriteAsync(Convert.ToBase64String(chunk, line, Math.Min(57, n - line)) + "\r\n");
                }
            }

            await file.WriteAsync("--b--\r\n");
        }

        await using var db = await cluster.CreateMigratedDatabaseAsync("email_big");
        var ingester = EmailTestKit.Files(db);
        var before = GC.GetTotalAllocatedBytes(precise: true);

        var results = await ingester.IngestAsync([path], null, NullProgressSink.Instance, CancellationToken.None);

        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        Assert.Equal(new IngestCounts(1, 1, 0, 0), Sum(results));
        Assert.Equal(attachmentBytes, await db.ScalarAsync<long>("select (attachments->0->>'size')::bigint from core.email"));
        Assert.True(allocated < attachmentBytes / 2, $"allocated {allocated:N0} bytes while reading a {attachmentBytes:N0}-byte attachment");
    }
}
