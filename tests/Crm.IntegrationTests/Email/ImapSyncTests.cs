using Crm.IntegrationTests.Infrastructure;
using Crm.Pipeline.Jobs;
using Crm.Pipeline.Sources;
using Crm.Pipeline.Sources.Email;
using MailKit;
using MailKit.Search;

namespace Crm.IntegrationTests.Email;

/// <summary>IMAP sync against a real Dovecot on loopback, started by each test (issue 6).</summary>
[Collection(PostgresCollection.Name)]
public sealed class ImapSyncTests(PostgresCluster cluster)
{
    private static IngestCounts Sum(IEnumerable<UnitResult> results) => results.Aggregate(default(IngestCounts), (a, r) => a + r.Counts);

    [Fact]
    public async Task FirstSync_LoadsEveryMessage_WithoutSettingSeenFlags()
    {
        await using var server = await DovecotServer.StartAsync();
        await server.AppendAsync("INBOX", Enumerable.Range(1, 7).Select(n => EmailTestKit.Message(n)));
        await using var db = await cluster.CreateMigratedDatabaseAsync("imap_first");
        var account = server.Account();
        account.BatchSize = 3;
        var syncer = EmailTestKit.Imap(db, EmailTestKit.Options(account));

        var results = await syncer.SyncAsync(account, null, NullProgressSink.Instance, CancellationToken.None);

        Assert.Equal(new IngestCounts(7, 7, 0, 0), Sum(results));
        Assert.Equal(3, results.Count); // 3 + 3 + 1 by UID range
        Assert.Equal(7, await db.ScalarAsync<int>("select count(*) from core.email where source_kind = 'imap'"));
        Assert.Equal(7, await db.ScalarAsync<int>("select count(*) from core.source_customer where source = 'email'"));
        Assert.Equal(3, await db.ScalarAsync<int>("select count(*) from ops.ingest_ledger where source = 'email' and unit_key like 'imap:test/INBOX/%'"));

        using var client = await server.ConnectAsync();
        await client.Inbox.OpenAsync(FolderAccess.ReadOnly);
        Assert.Empty(await client.Inbox.SearchAsync(SearchQuery.Seen));
        Assert.Equal(7, client.Inbox.Count);
    }

    [Fact]
    public async Task SecondSync_LoadsOnlyNewMail_AndAThirdFindsNothing()
    {
        await using var server = await DovecotServer.StartAsync();
        await server.AppendAsync("INBOX", Enumerable.Range(1, 4).Select(n => EmailTestKit.Message(n)));
        await using var db = await cluster.CreateMigratedDatabaseAsync("imap_incr");
        var account = server.Account();
        var syncer = EmailTestKit.Imap(db, EmailTestKit.Options(account));
        await syncer.SyncAsync(account, null, NullProgressSink.Instance, CancellationToken.None);

        await server.AppendAsync("INBOX", Enumerable.Range(5, 2).Select(n => EmailTestKit.Message(n)));
        var second = await syncer.SyncAsync(account, null, NullProgressSink.Instance, CancellationToken.None);
        var third = await syncer.SyncAsync(account, null, NullProgressSink.Instance, CancellationToken.None);

        Assert.Equal(new IngestCounts(2, 2, 0, 0), Sum(second));
        Assert.Empty(third);
        Assert.Equal(6, await db.ScalarAsync<int>("select count(*) from core.email"));
    }

    [Fact]
    public async Task UidValidityChange_ResyncsTheFolder_AndAddsNothingTwice()
    {
        await using var server = await DovecotServer.StartAsync();
        var before = await server.AppendAsync("Support", Enumerable.Range(1, 3).Select(n => EmailTestKit.Message(n)));
        await using var db = await cluster.CreateMigratedDatabaseAsync("imap_uidvalidity");
        var account = server.Account("test", "Support");
        var syncer = EmailTestKit.Imap(db, EmailTestKit.Options(account));
        await syncer.SyncAsync(account, null, NullProgressSink.Instance, CancellationToken.None);

        // Delete and recreate the folder: the server must hand out a new UIDVALIDITY.
        using (var client = await server.ConnectAsync())
        {
            var folder = await DovecotServer.GetOrCreateAsync(client, "Support");
            await folder.DeleteAsync();
        }

        var after = await server.AppendAsync("Support", Enumerable.Range(1, 4).Select(n => EmailTestKit.Message(n)));
        Assert.NotEqual(before, after);

        var resync = await syncer.SyncAsync(account, null, NullProgressSink.Instance, CancellationToken.None);

        Assert.Equal(new IngestCounts(4, 1, 0, 3), Sum(resync));
        Assert.Equal(4, await db.ScalarAsync<int>("select count(*) from core.email"));
        Assert.Equal(1, await db.ScalarAsync<int>($"select count(*) from ops.ingest_ledger where unit_key like 'imap:test/Support/{after}/%'"));
    }

    [Fact]
    public async Task MessagesDeletedBetweenRuns_StayInTheWarehouse_AndNewOnesStillLoad()
    {
        await using var server = await DovecotServer.StartAsync();
        await server.AppendAsync("INBOX", Enumerable.Range(1, 5).Select(n => EmailTestKit.Message(n)));
        await using var db = await cluster.CreateMigratedDatabaseAsync("imap_deleted");
        var account = server.Account();
        var syncer = EmailTestKit.Imap(db, EmailTestKit.Options(account));
        await syncer.SyncAsync(account, null, NullProgressSink.Instance, CancellationToken.None);

        using (var client = await server.ConnectAsync())
        {
            await client.Inbox.OpenAsync(FolderAccess.ReadWrite);
            var uids = await client.Inbox.SearchAsync(SearchQuery.All);
            await client.Inbox.AddFlagsAsync([uids[1], uids[3]], MessageFlags.Deleted, true);
            await client.Inbox.ExpungeAsync();
        }

        await server.AppendAsync("INBOX", [EmailTestKit.Message(6)]);
        var second = await syncer.SyncAsync(account, null, NullProgressSink.Instance, CancellationToken.None);

        Assert.Equal(new IngestCounts(1, 1, 0, 0), Sum(second));
        Assert.Equal(6, await db.ScalarAsync<int>("select count(*) from core.email"));
        // The second and fourth messages were expunged: kept, and marked as gone from the server.
        Assert.Equal("m2@test.example,m4@test.example", await db.ScalarAsync<string>(
            "select string_agg(message_id, ',' order by message_id) from core.email where deleted_on_server_at is not null"));
        await syncer.SyncAsync(account, null, NullProgressSink.Instance, CancellationToken.None);
        Assert.Equal(2, await db.ScalarAsync<int>("select count(*) from core.email where deleted_on_server_at is not null"));
    }

    [Fact]
    public async Task MessagesExpungedDuringASync_AreSkipped_AndTheRestLoads()
    {
        await using var server = await DovecotServer.StartAsync();
        await server.AppendAsync("INBOX", Enumerable.Range(1, 6).Select(n => EmailTestKit.Message(n)));
        await using var db = await cluster.CreateMigratedDatabaseAsync("imap_vanish");
        var account = server.Account();
        var syncer = EmailTestKit.Imap(db, EmailTestKit.Options(account));

        // The stage reports progress after SEARCH, before each batch's FETCH: another client
        // expunges two messages right then.
        var sink = new ActionSink(report =>
        {
            if (report == 1)
            {
                using var other = server.ConnectAsync().GetAwaiter().GetResult();
                other.Inbox.Open(FolderAccess.ReadWrite);
                var uids = other.Inbox.Search(SearchQuery.All);
                other.Inbox.AddFlags([uids[0], uids[4]], MessageFlags.Deleted, true);
                other.Inbox.Expunge();
                other.Disconnect(true);
            }
        });

        var results = await syncer.SyncAsync(account, null, sink, CancellationToken.None);

        Assert.Equal(new IngestCounts(4, 4, 0, 0), Sum(results));
        Assert.Contains("2 expunged", results.Single().Outcome, StringComparison.Ordinal);
        Assert.Equal(
            ["m2@test.example", "m3@test.example", "m4@test.example", "m6@test.example"],
            (await db.ScalarAsync<string>("select string_agg(message_id, ',' order by message_id) from core.email")).Split(','));
    }

    [Fact]
    public async Task ServerKilledMidSync_IsRetriedWithBackoff_AndEveryMessageLoadsOnce()
    {
        await using var server = await DovecotServer.StartAsync();
        await server.AppendAsync("INBOX", Enumerable.Range(1, 20).Select(n => EmailTestKit.Message(n)));
        await using var db = await cluster.CreateMigratedDatabaseAsync("imap_kill");
        var account = server.Account();
        account.BatchSize = 5;
        var syncer = EmailTestKit.Imap(db, EmailTestKit.Options(account));
        Task? restart = null;
        var retries = 0;
        var sink = new ActionSink(report =>
        {
            // Kill the whole server as the third batch starts; bring it back a little later.
            if (report == 3 && restart is null)
            {
                server.Kill();
                restart = Task.Run(async () =>
                {
                    await Task.Delay(1500);
                    await server.RestartAsync();
                });
            }
        }, message => retries += message.Contains("retry", StringComparison.Ordinal) ? 1 : 0);

        var results = await syncer.SyncAsync(account, null, sink, CancellationToken.None);
        await restart!;

        Assert.True(retries >= 1, "the sync should have retried after the server died");
        Assert.Equal(new IngestCounts(20, 20, 0, 0), Sum(results));
        Assert.Equal(20, await db.ScalarAsync<int>("select count(distinct message_id) from core.email"));
        Assert.Equal(20, await db.ScalarAsync<int>("select count(*) from core.email"));
        Assert.Equal(4, await db.ScalarAsync<int>("select count(*) from ops.ingest_ledger where source = 'email'"));
    }

    [Fact]
    public async Task WrongPassword_FailsWithAClearError_AfterOneAttempt()
    {
        await using var server = await DovecotServer.StartAsync();
        await server.AppendAsync("INBOX", [EmailTestKit.Message(1)]);
        await using var db = await cluster.CreateMigratedDatabaseAsync("imap_auth");
        var account = server.Account();
        account.Password = "wrong-password";
        var syncer = EmailTestKit.Imap(db, EmailTestKit.Options(account));

        var error = await Assert.ThrowsAsync<ImapSyncException>(() => syncer.SyncAsync(account, null, NullProgressSink.Instance, CancellationToken.None));

        Assert.Contains("rejected the credentials", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong-password", error.Message, StringComparison.Ordinal);
        // Dovecot logs one line per failed login once the connection is gone; wait for it, then
        // check there was exactly one (no retry storm).
        await Poll.UntilAsync(() => server.ReadLog().Contains("auth failed", StringComparison.Ordinal), TimeSpan.FromSeconds(10));

        Assert.Equal(1, server.ReadLog().Split('\n').Count(l => l.Contains("auth failed", StringComparison.Ordinal)));
        Assert.Equal(0, await db.ScalarAsync<int>("select count(*) from ops.ingest_ledger"));
    }

    [Fact]
    public async Task MoveProcessedTo_MovesCommittedMessages_OutOfTheInbox()
    {
        await using var server = await DovecotServer.StartAsync();
        await server.AppendAsync("INBOX", Enumerable.Range(1, 3).Select(n => EmailTestKit.Message(n)));
        await server.AppendAsync("Processed", []);
        await using var db = await cluster.CreateMigratedDatabaseAsync("imap_move");
        var account = server.Account();
        account.MoveProcessedTo = "Processed";
        var syncer = EmailTestKit.Imap(db, EmailTestKit.Options(account));

        var results = await syncer.SyncAsync(account, null, NullProgressSink.Instance, CancellationToken.None);

        Assert.Equal(new IngestCounts(3, 3, 0, 0), Sum(results));
        using var client = await server.ConnectAsync();
        await client.Inbox.OpenAsync(FolderAccess.ReadOnly);
        Assert.Equal(0, client.Inbox.Count);
        var processed = await DovecotServer.GetOrCreateAsync(client, "Processed");
        await processed.OpenAsync(FolderAccess.ReadOnly);
        Assert.Equal(3, processed.Count);
    }

    [Fact]
    public async Task StaffRepliesInTheFolderMarkedSent_AreReadToo_SoTheThreadHasBothSidesAndARealFirstResponse()
    {
        await using var server = await DovecotServer.StartAsync();
        var question = EmailTestKit.Message(1);
        var reply = EmailTestKit.Message(2, from: "agent@" + EmailTestKit.StaffDomain, inReplyTo: question.MessageId);
        reply.To.Clear();
        reply.To.Add(question.From[0]);
        reply.Date = question.Date.AddHours(2);
        await server.AppendAsync("INBOX", [question]);
        await server.AppendAsync("Sent", [reply]);
        await server.AppendAsync("Processed", []);
        await using var db = await cluster.CreateMigratedDatabaseAsync("imap_sent");
        var account = server.Account();
        account.MoveProcessedTo = "Processed";
        var syncer = EmailTestKit.Imap(db, EmailTestKit.Options(account));

        var results = await syncer.SyncAsync(account, null, NullProgressSink.Instance, CancellationToken.None);

        Assert.Equal(new IngestCounts(2, 2, 0, 0), Sum(results));
        Assert.Contains(results, r => r.Unit.StartsWith("imap:test/Sent/", StringComparison.Ordinal));
        Assert.Equal("1,1,7200", await db.ScalarAsync<string>("select concat_ws(',', inbound_count, outbound_count, first_response_seconds) from core.email_thread"));
        // The sent folder is read-only: the reply stays where it is, while the inbox message was moved.
        using var client = await server.ConnectAsync();
        var sent = await DovecotServer.GetOrCreateAsync(client, "Sent");
        await sent.OpenAsync(FolderAccess.ReadOnly);
        Assert.Equal(1, sent.Count);
    }

    /// <summary>Counts progress reports and runs an action on each (1-based).</summary>
    private sealed class ActionSink(Action<int> onReport, Action<string>? onMessage = null) : IProgressSink
    {
        private int _reports;

        public void Report(double? fraction, string message)
        {
            onMessage?.Invoke(message);
            if (fraction is not null)
            {
                onReport(++_reports);
            }
        }
    }
}
