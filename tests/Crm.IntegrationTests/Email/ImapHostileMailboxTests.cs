using System.Security.Cryptography;
using System.Text;
using Crm.IntegrationTests.Infrastructure;
using Crm.Pipeline.Jobs;
using Crm.Pipeline.Sources;
using Crm.Pipeline.Sources.Email;
using MimeKit;
using Npgsql;

namespace Crm.IntegrationTests.Email;

/// <summary>
/// Mailboxes that hold what real ones do: a message with no header lines, one cut off mid-body, a 25 MB one,
/// and an account whose server dies part-way. No message stops the sync, and the summary equals the ledger (#25).
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ImapHostileMailboxTests(PostgresCluster cluster)
{
    private static IngestCounts Sum(IEnumerable<UnitResult> results) => results.Aggregate(default(IngestCounts), (a, r) => a + r.Counts);

    [Fact]
    public async Task BadMessages_AreQuarantinedWithTheirPlace_TheGoodOnesLoadInBothAccounts_AndASecondSyncLoadsNothing()
    {
        await using var server = await DovecotServer.StartAsync();
        var validity = await server.AppendAsync("INBOX", [EmailTestKit.Message(1)]);
        // A first line with no colon: MimeKit fails with "Failed to parse message headers."
        var headerless = await server.DeliverRawAsync("INBOX", "this message has no header lines\r\nonly text\r\n"u8.ToArray());
        await server.AppendAsync("INBOX", [EmailTestKit.Message(2)]);
        var whole = Encoding.ASCII.GetBytes(WithAttachment(EmailTestKit.Message(3), 200_000).ToString());
        await server.DeliverRawAsync("INBOX", whole[..(whole.Length * 3 / 5)]);
        await server.AppendAsync("INBOX", [WithAttachment(EmailTestKit.Message(4), 18 << 20)]);
        await server.AppendAsync("Other", [EmailTestKit.Message(5), EmailTestKit.Message(6)]);
        await using var db = await cluster.CreateMigratedDatabaseAsync("imap_hostile");
        var main = server.Account("main", "INBOX");
        var other = server.Account("other", "Other");
        var syncer = EmailTestKit.Imap(db, EmailTestKit.Options(main, other));

        var first = await syncer.SyncAllAsync(null, NullProgressSink.Instance, CancellationToken.None);
        var second = await syncer.SyncAllAsync(null, NullProgressSink.Instance, CancellationToken.None);

        Assert.DoesNotContain(first, r => r.Error is not null);
        Assert.Equal(7, Sum(first).Read);
        Assert.Equal(
            ["m1@test.example", "m2@test.example", "m4@test.example", "m5@test.example", "m6@test.example"],
            (await db.ScalarAsync<string>("select string_agg(message_id, ',' order by message_id) from core.email where message_id <> 'm3@test.example'")).Split(','));
        var reason = await db.ScalarAsync<string>("select string_agg(reason, ' | ') from quarantine.record where source = 'email' and reason like 'unparseable message%'");
        Assert.Equal($"unparseable message: Failed to parse message headers. (at imap:main/INBOX/{validity}/{headerless})", reason);
        Assert.StartsWith("this message has no header lines", await db.ScalarAsync<string>("select raw_text from quarantine.record where reason like 'unparseable message%'"), StringComparison.Ordinal);
        // The message cut off mid-body is loaded or quarantined, never lost: every message read is accounted for.
        var ledger = await LedgerAsync(db);
        Assert.Equal(Sum(first), ledger);
        Assert.Equal(ledger.Read, ledger.Loaded + ledger.Quarantined + ledger.Duplicate);
        Assert.Equal(7, await db.ScalarAsync<int>("select count(*) from core.email") + await db.ScalarAsync<int>("select count(*) from quarantine.record where source = 'email'"));
        Assert.Equal(default, Sum(second));
        Assert.Equal(ledger, await LedgerAsync(db));
    }

    [Fact]
    public async Task AnAccountWhoseServerDiesPartWay_CountsWhatItCommitted_AndTheOtherAccountStillSyncs()
    {
        await using var dying = await DovecotServer.StartAsync();
        await using var healthy = await DovecotServer.StartAsync();
        await dying.AppendAsync("INBOX", Enumerable.Range(1, 20).Select(n => EmailTestKit.Message(n)));
        await healthy.AppendAsync("INBOX", Enumerable.Range(21, 3).Select(n => EmailTestKit.Message(n)));
        await using var db = await cluster.CreateMigratedDatabaseAsync("imap_partway");
        var first = dying.Account("first");
        first.BatchSize = 5;
        first.MaxAttempts = 1;
        var second = healthy.Account("second");
        var syncer = EmailTestKit.Imap(db, EmailTestKit.Options(first, second));
        var reports = 0;
        // The third progress report of the first account comes after its second batch committed.
        var sink = new KillingSink(() => ++reports == 3, dying.Kill);

        var results = await syncer.SyncAllAsync(null, sink, CancellationToken.None);

        var failed = Assert.Single(results, r => r.Error is not null);
        Assert.Equal("imap:first", failed.Unit);
        Assert.Contains("gave up after 1 attempt(s)", failed.Error, StringComparison.Ordinal);
        Assert.Equal(new IngestCounts(13, 13, 0, 0), Sum(results));
        Assert.Equal(Sum(results), await LedgerAsync(db));
        Assert.Equal(3, await db.ScalarAsync<int>("select count(*) from core.email where message_id in ('m21@test.example', 'm22@test.example', 'm23@test.example')"));
    }

    private static async Task<IngestCounts> LedgerAsync(NpgsqlDataSource db)
    {
        var row = await db.ScalarAsync<string>(
            "select concat_ws(',', sum(read_count), sum(loaded_count), sum(quarantined_count), sum(duplicate_count)) from ops.ingest_ledger where source = 'email'");
        var f = row.Split(',').Select(long.Parse).ToArray();
        return new IngestCounts(f[0], f[1], f[2], f[3]);
    }

    private static MimeMessage WithAttachment(MimeMessage message, int bytes)
    {
        var content = new byte[bytes];
        RandomNumberGenerator.Fill(content);
        var body = new BodyBuilder { TextBody = message.TextBody };
        body.Attachments.Add("data.bin", content, new ContentType("application", "octet-stream"));
        message.Body = body.ToMessageBody();
        return message;
    }

    /// <summary>Runs an action once, on the progress report for which <c>when</c> first says yes.</summary>
    private sealed class KillingSink(Func<bool> when, Action kill) : IProgressSink
    {
        private bool _done;

        public void Report(double? fraction, string message)
        {
            if (fraction is not null && !_done && when())
            {
                _done = true;
                kill();
            }
        }
    }
}
