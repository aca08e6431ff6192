using System.Security.Cryptography;
using Crm.IntegrationTests.Infrastructure;
using Crm.Pipeline.Jobs;
using Crm.Pipeline.Sources;
using MimeKit;
using Npgsql;

namespace Crm.IntegrationTests.Email;

/// <summary>
/// A drop folder of many single-message files loads in batches (one transaction per batch) while
/// every file keeps its own ledger row, its own counts and its own quarantine rows (issue 10).
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class EmailDropBatchTests(PostgresCluster cluster) : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("crm-email-batch-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private static IngestCounts Sum(IEnumerable<UnitResult> results) => results.Aggregate(default(IngestCounts), (a, r) => a + r.Counts);

    private async Task WriteMessagesAsync(int count, Func<int, MimeMessage>? make = null)
    {
        for (var n = 0; n < count; n++)
        {
            var message = make?.Invoke(n) ?? EmailTestKit.Message(n);
            await message.WriteToAsync(Path.Combine(_temp, $"f{n:D2}.eml"));
        }
    }

    [Fact]
    public async Task ManyFiles_LoadInBatches_WithOneLedgerRowPerFile_AndOnlyTheBadFilesQuarantined()
    {
        // 22 messages; message 15 replies to message 2 (an earlier batch) and message 9 replies to
        // message 10, which arrives after it.
        await WriteMessagesAsync(22, n => n switch
        {
            15 => EmailTestKit.Message(n, inReplyTo: "m2@test.example"),
            9 => EmailTestKit.Message(n, inReplyTo: "m10@test.example"),
            _ => EmailTestKit.Message(n),
        });
        await File.WriteAllBytesAsync(Path.Combine(_temp, "f05-garbage"), RandomNumberGenerator.GetBytes(2000));
        await File.WriteAllTextAsync(Path.Combine(_temp, "f12-nosender.eml"), "To: support@shop.example\r\nSubject: who sent this\r\n\r\nbody\r\n");
        // The same bytes under a second name: the ledger knows them already (within the batch).
        File.Copy(Path.Combine(_temp, "f03.eml"), Path.Combine(_temp, "f03x.eml"));
        var options = EmailTestKit.Options();
        options.DropBatchFiles = 4;
        await using var db = await cluster.CreateMigratedDatabaseAsync("email_batch");
        var ingester = EmailTestKit.Files(db, options);

        var results = await ingester.IngestAsync([_temp], null, NullProgressSink.Instance, CancellationToken.None);

        Assert.Equal(25, results.Count);
        Assert.All(results, r => Assert.Null(r.Error));
        Assert.Equal("skipped (already loaded)", results.Single(r => r.Unit.EndsWith("f03x.eml", StringComparison.Ordinal)).Outcome);
        Assert.Equal(new IngestCounts(24, 22, 2, 0), Sum(results));
        // One ledger row per loaded file, each reconciling on its own.
        Assert.Equal(24, await db.ScalarAsync<long>("select count(*) from ops.ingest_ledger where source = 'email'"));
        Assert.Equal(24, await db.ScalarAsync<long>("select count(distinct unit_key) from ops.ingest_ledger where source = 'email' and read_count = 1 and read_count = loaded_count + quarantined_count + duplicate_count"));
        // Each message carries its own file's ledger row, each quarantine row its own file's.
        Assert.Equal(22, await db.ScalarAsync<long>("select count(*) from core.email e join ops.ingest_ledger l on l.ledger_id = e.ledger_id where l.unit_path = e.source_location and l.loaded_count = 1"));
        Assert.Equal(2, await db.ScalarAsync<long>("select count(*) from quarantine.record q join ops.ingest_ledger l on l.ledger_id = q.ledger_id where l.unit_path = q.unit_path and l.quarantined_count = 1 and q.line_number = 1"));
        Assert.Equal(1, await db.ScalarAsync<long>("select count(*) from quarantine.record where reason = 'no From address' and unit_path like '%f12-nosender.eml'"));
        // Threads across batches and within one are joined.
        Assert.Equal(20, await db.ScalarAsync<long>("select count(*) from core.email_thread"));
        Assert.Equal(2, await db.ScalarAsync<long>("select message_count from core.email_thread t join core.email e using (thread_key) where e.message_id = 'm2@test.example'"));
        Assert.Equal(2, await db.ScalarAsync<long>("select message_count from core.email_thread t join core.email e using (thread_key) where e.message_id = 'm10@test.example'"));

        // A second run finds every file in the ledger and adds nothing.
        var again = await ingester.IngestAsync([_temp], null, NullProgressSink.Instance, CancellationToken.None);
        Assert.All(again, r => Assert.Equal("skipped (already loaded)", r.Outcome));
        Assert.Equal(24, await db.ScalarAsync<long>("select count(*) from ops.ingest_ledger where source = 'email'"));
        Assert.Equal(22, await db.ScalarAsync<long>("select count(*) from core.email"));
    }

    [Fact]
    public async Task DatabaseFailureMidBatch_RollsTheWholeBatchBack_AndTheNextRunRedoesIt()
    {
        // 20 files in batches of 5: f00-f04, f05-f09, ... The database refuses message 7, so the
        // second batch fails after f05 and f06 were staged in it.
        await WriteMessagesAsync(20);
        var options = EmailTestKit.Options();
        options.DropBatchFiles = 5;
        await using var db = await cluster.CreateMigratedDatabaseAsync("email_batch_fail");
        await db.ExecuteAsync("""
            create function refuse_m7() returns trigger language plpgsql as $$
            begin
                if new.message_id = 'm7@test.example' then raise exception 'refused by the test'; end if;
                return new;
            end $$;
            create trigger refuse before insert on core.email for each row execute function refuse_m7();
            """);
        var ingester = EmailTestKit.Files(db, options);

        var failure = await Assert.ThrowsAsync<PostgresException>(() => ingester.IngestAsync([_temp], null, NullProgressSink.Instance, CancellationToken.None));

        Assert.Contains("refused by the test", failure.MessageText, StringComparison.Ordinal);
        // Only the first batch is in: no ledger row, message or thread of the failed batch.
        Assert.Equal(5, await db.ScalarAsync<long>("select count(*) from ops.ingest_ledger where source = 'email'"));
        Assert.Equal(0, await db.ScalarAsync<long>("select count(*) from ops.ingest_ledger where unit_path like '%f05.eml' or unit_path like '%f06.eml'"));
        Assert.Equal(5, await db.ScalarAsync<long>("select count(*) from core.email"));
        Assert.Equal(5, await db.ScalarAsync<long>("select count(*) from core.email_thread"));

        await db.ExecuteAsync("drop trigger refuse on core.email; drop function refuse_m7();");
        var results = await ingester.IngestAsync([_temp], null, NullProgressSink.Instance, CancellationToken.None);

        Assert.Equal(5, results.Count(r => r.Outcome == "skipped (already loaded)"));
        Assert.Equal(new IngestCounts(15, 15, 0, 0), Sum(results));
        Assert.Equal(20, await db.ScalarAsync<long>("select count(*) from ops.ingest_ledger where source = 'email'"));
        Assert.Equal(20, await db.ScalarAsync<long>("select count(*) from core.email"));
        Assert.Equal(20, await db.ScalarAsync<long>("select count(distinct ledger_id) from core.email"));
    }
}
