using System.Diagnostics;
using System.Threading.Channels;
using Crm.Pipeline.Jobs;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;
using Npgsql;

namespace Crm.Pipeline.Sources.Email;

/// <summary>
/// Loads dropped mail files: <c>.eml</c> files, Maildir folders (any file holding one message) and
/// mbox files, parsed by MimeKit (an mbox is never held in memory whole: it is cut into messages as it
/// is read, and only the messages being parsed are held). One ledger unit per file,
/// skipped when the same bytes were loaded before; each message keeps its byte offset.
/// </summary>
public sealed partial class EmailFileIngester
{
    private static readonly string[] IgnoredNames = ["readme", "readme.md", "readme.txt", "maildirfolder", "subscriptions"];

    private readonly NpgsqlDataSource _dataSource;
    private readonly IOptionsMonitor<EmailOptions> _options;
    private readonly ILogger _logger;

    /// <summary>Creates an ingester writing to the warehouse behind <paramref name="dataSource"/>.</summary>
    public EmailFileIngester(NpgsqlDataSource dataSource, IOptionsMonitor<EmailOptions> options, ILogger<EmailFileIngester> logger)
    {
        _dataSource = dataSource;
        _options = options;
        _logger = logger;
    }

    /// <summary>
    /// The message files under <paramref name="paths"/> (files as given, folders walked
    /// recursively, Maildir <c>tmp/</c> folders, dot-files and Dovecot's index files left out), sorted.
    /// </summary>
    public static IReadOnlyList<string> Expand(IEnumerable<string> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var files = new List<string>();
        foreach (var path in paths)
        {
            var full = Path.GetFullPath(path);
            if (Directory.Exists(full))
            {
                files.AddRange(Directory.EnumerateFiles(full, "*", SearchOption.AllDirectories)
                    .Where(f => IsMessageFile(full, f))
                    .Order(StringComparer.Ordinal));
            }
            else
            {
                files.Add(full);
            }
        }

        return files;
    }

    /// <summary>
    /// Loads every file under <paramref name="paths"/>. Each file is its own ledger unit (identity +
    /// checksum), but single-message files are written in batches (up to
    /// <see cref="EmailOptions.DropBatchFiles"/> files or <see cref="EmailOptions.DropBatchBytes"/> bytes), each batch in ONE transaction with one staging COPY
    /// and one set-based merge: a crash mid-batch rolls the whole batch back and the next run redoes
    /// it. An mbox is a transaction of its own. Parsing runs ahead of the database work by a bounded
    /// channel. A file that cannot be read is a failed result and the others still load; a message
    /// that cannot be parsed is quarantined alone. Database failures throw.
    /// </summary>
    public async Task<IReadOnlyList<UnitResult>> IngestAsync(IEnumerable<string> paths, Guid? runId, IProgressSink progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(progress);
        var files = Expand(paths);
        var results = new UnitResult[files.Count];
        var extractor = CreateExtractor();
        var times = new EmailPhaseTimes();
        var total = Stopwatch.StartNew();
        var work = Channel.CreateBounded<DropWork>(new BoundedChannelOptions(2) { SingleReader = true, SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var producer = Task.Run(() => ProduceAsync(files, extractor, times, work.Writer, stop.Token), stop.Token);
        try
        {
            var done = 0;
            await foreach (var item in work.Reader.ReadAllAsync(stop.Token).ConfigureAwait(false))
            {
                progress.Report((double)done / Math.Max(1, files.Count), $"email: file {done + 1} of {files.Count}");
                switch (item)
                {
                    case DropWork.Failed failed:
                        results[failed.Index] = failed.Result;
                        done++;
                        break;
                    case DropWork.Mbox mbox:
                        results[mbox.File.Index] = await IngestFileAsync(mbox.File, extractor, runId, times, cancellationToken).ConfigureAwait(false);
                        done++;
                        break;
                    case DropWork.Batch batch:
                        await WriteBatchAsync(batch.Files, results, runId, times, cancellationToken).ConfigureAwait(false);
                        done += batch.Files.Count;
                        break;
                }
            }
        }
        catch
        {
            await stop.CancelAsync().ConfigureAwait(false);
            throw;
        }
        finally
        {
            // The producer ends with the channel; observe its fault (or cancellation) either way.
            try
            {
                await producer.ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
        }

        Log.DropLoaded(_logger, files.Count, total.ElapsedMilliseconds, times.ToString());
        progress.Report(1, $"email: {files.Count} file(s)");
        return results;
    }

    /// <summary>
    /// Fingerprints the files in order, leaves out single-message files the ledger already holds (a
    /// hint read without the lock: the writer checks again under it), parses the rest in batches and
    /// hands each batch, mbox and unreadable file to the writer, in file order.
    /// </summary>
    private async Task ProduceAsync(IReadOnlyList<string> files, EmailExtractor extractor, EmailPhaseTimes times, ChannelWriter<DropWork> work, CancellationToken cancellationToken)
    {
        var options = _options.CurrentValue;
        var pending = new List<DropFile>();
        long pendingBytes = 0;
        try
        {
            for (var i = 0; i < files.Count; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var start = Stopwatch.GetTimestamp();
                var fullPath = Path.GetFullPath(files[i]);
                DropFile file;
                try
                {
                    var (sha, size) = await SourceFile.FingerprintAsync(fullPath, cancellationToken).ConfigureAwait(false);
                    file = new DropFile(i, fullPath, sha, size, IsMbox(fullPath));
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    Log.UnitUnreadable(_logger, fullPath, e.Message);
                    file = new DropFile(i, fullPath, "", 0, false) { Error = $"cannot read: {e.Message}" };
                }

                times.Add(ref times.Scan, start);
                if (file.Error is not null || file.IsMbox)
                {
                    // Keep file order: what is pending goes first.
                    await FlushAsync().ConfigureAwait(false);
                    if (file.IsMbox && file.Error is null && file.Size <= options.DropBatchBytes)
                    {
                        await PrepareMboxAsync(file, extractor, times, cancellationToken).ConfigureAwait(false);
                    }

                    await work.WriteAsync(
                        file.Error is not null ? new DropWork.Failed(i, new UnitResult(fullPath, "failed", default, file.Error)) : new DropWork.Mbox(file),
                        cancellationToken).ConfigureAwait(false);
                    continue;
                }

                if (pending.Count > 0 && (pending.Count >= options.DropBatchFiles || pendingBytes + file.Size > options.DropBatchBytes))
                {
                    await FlushAsync().ConfigureAwait(false);
                }

                pending.Add(file);
                pendingBytes += file.Size;
            }

            await FlushAsync().ConfigureAwait(false);
            work.Complete();
        }
        catch (Exception e)
        {
            work.Complete(e);
            throw;
        }

        async Task FlushAsync()
        {
            if (pending.Count == 0)
            {
                return;
            }

            var batch = pending.ToList();
            pending.Clear();
            pendingBytes = 0;
            var start = Stopwatch.GetTimestamp();
            var known = await FindLoadedAsync(batch, cancellationToken).ConfigureAwait(false);
            times.Add(ref times.Scan, start);
            start = Stopwatch.GetTimestamp();
            foreach (var file in batch)
            {
                if (known.TryGetValue(file.Sha, out var earlier))
                {
                    file.Earlier = earlier;
                    continue;
                }

                await ParseSingleAsync(file, extractor, cancellationToken).ConfigureAwait(false);
            }

            times.Add(ref times.Parse, start);
            await work.WriteAsync(new DropWork.Batch(batch), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Parses a small mbox into memory ahead of the writer (unless the ledger already holds its
    /// bytes), so its parsing overlaps the database work on the unit before it.
    /// </summary>
    private async Task PrepareMboxAsync(DropFile file, EmailExtractor extractor, EmailPhaseTimes times, CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        var known = await FindLoadedAsync([file], cancellationToken).ConfigureAwait(false);
        times.Add(ref times.Scan, start);
        if (known.TryGetValue(file.Sha, out var earlier))
        {
            file.Earlier = earlier;
            return;
        }

        start = Stopwatch.GetTimestamp();
        try
        {
            await using var stream = new FileStream(file.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16);
            var buffer = new BufferedEmailSink();
            (file.Messages, file.StoppedAt) = await LandMboxAsync(stream, file.Path, extractor, buffer, cancellationToken).ConfigureAwait(false);
            file.Buffered = buffer;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Changed or locked since the fingerprint: the writer streams it again (and says why if it still cannot).
            file.Buffered = null;
        }

        times.Add(ref times.Parse, start);
    }

    private async Task<Dictionary<string, long>> FindLoadedAsync(List<DropFile> batch, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await Ledger.FindManyAsync(
            connection, null, EmailUnitWriter.Source, "file:", batch.Select(f => f.Sha).Distinct(StringComparer.Ordinal).ToArray(), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Parses and extracts one single-message file; what cannot be loaded becomes its quarantine row.</summary>
    private static async Task ParseSingleAsync(DropFile file, EmailExtractor extractor, CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = new FileStream(file.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16);
            MimeMessage message;
            try
            {
                // Persistent: parts refer to byte ranges of the open file instead of copies, so a
                // 50 MB attachment is measured by streaming it, never held in memory.
                message = await MimeMessage.LoadAsync(EmailExtractor.ParserOptions, stream, persistent: true, cancellationToken).ConfigureAwait(false);
            }
            catch (FormatException e)
            {
                file.Rejected = RawRow(file.Path, 0, 1, $"unparseable message: {e.Message}", file.Size);
                return;
            }

            string? rejection;
            try
            {
                file.Email = extractor.Extract(message, file.Path, null, null, file.Size, out rejection);
            }
            catch (Exception e) when (e is FormatException or InvalidOperationException or ArgumentException or NotSupportedException)
            {
                rejection = $"cannot extract: {e.GetType().Name}: {e.Message}";
            }

            if (file.Email is null)
            {
                file.Rejected = RawRow(file.Path, 0, 1, rejection!, file.Size);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Vanished or locked between fingerprint and parse: a failed unit, the batch goes on.
            file.Error = $"cannot read: {e.Message}";
        }
    }

    /// <summary>Writes one batch of single-message files: one transaction, one ledger row per loaded file.</summary>
    private async Task WriteBatchAsync(List<DropFile> batch, UnitResult[] results, Guid? runId, EmailPhaseTimes times, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var candidates = new List<DropFile>(batch.Count);
        foreach (var file in batch)
        {
            if (file.Error is not null)
            {
                Log.UnitUnreadable(_logger, file.Path, file.Error);
                results[file.Index] = new UnitResult(file.Path, "failed", default, file.Error);
            }
            else if (file.Earlier is { } earlier)
            {
                Log.UnitSkipped(_logger, file.Path, earlier);
                results[file.Index] = new UnitResult(file.Path, "skipped (already loaded)", default);
            }
            else
            {
                candidates.Add(file);
            }
        }

        if (candidates.Count == 0)
        {
            return;
        }

        var units = candidates.Select(f => new EmailUnit("file:" + f.Path, f.Path, f.Sha, 0, f.Size)).ToList();
        var (writer, skipped) = await EmailUnitWriter.BeginBatchAsync(_dataSource, "file:", units, runId, times, cancellationToken).ConfigureAwait(false);
        if (writer is null)
        {
            for (var i = 0; i < candidates.Count; i++)
            {
                Log.UnitSkipped(_logger, candidates[i].Path, skipped[i]!.Value);
                results[candidates[i].Index] = new UnitResult(candidates[i].Path, "skipped (already loaded)", default);
            }

            return;
        }

        await using (writer)
        {
            var opened = new List<DropFile>(candidates.Count);
            var details = new List<object?>(candidates.Count);
            for (var i = 0; i < candidates.Count; i++)
            {
                var file = candidates[i];
                if (skipped[i] is { } earlier)
                {
                    Log.UnitSkipped(_logger, file.Path, earlier);
                    results[file.Index] = new UnitResult(file.Path, "skipped (already loaded)", default);
                    continue;
                }

                if (file.Email is { } email)
                {
                    await writer.AddAsync(email, "eml", opened.Count, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    writer.Quarantine(file.Rejected!, opened.Count);
                }

                opened.Add(file);
                details.Add(new { kind = "eml", size = file.Size, messages = 1L, stopped_at = (string?)null });
            }

            var counts = await writer.CommitBatchAsync(details, cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < opened.Count; i++)
            {
                Log.UnitLoaded(_logger, opened[i].Path, counts[i].Read, counts[i].Loaded, counts[i].Quarantined, counts[i].Duplicate, watch.ElapsedMilliseconds);
                results[opened[i].Index] = new UnitResult(opened[i].Path, "loaded", counts[i]);
            }
        }
    }

    internal EmailExtractor CreateExtractor()
    {
        var options = _options.CurrentValue;
        return new EmailExtractor(options, IntentRules.Load(options.IntentRulesFile));
    }

    private async Task<UnitResult> IngestFileAsync(DropFile file, EmailExtractor extractor, Guid? runId, EmailPhaseTimes? times, CancellationToken cancellationToken)
    {
        var (fullPath, sha, size, mbox) = (file.Path, file.Sha, file.Size, file.IsMbox);
        if (file.Earlier is { } known)
        {
            Log.UnitSkipped(_logger, fullPath, known);
            return new UnitResult(fullPath, "skipped (already loaded)", default);
        }

        var watch = Stopwatch.StartNew();
        var (writer, skipped) = await EmailUnitWriter.BeginBatchAsync(
            _dataSource, "file:", [new EmailUnit("file:" + fullPath, fullPath, sha, 0, size)], runId, times, cancellationToken).ConfigureAwait(false);
        if (writer is null)
        {
            Log.UnitSkipped(_logger, fullPath, skipped[0]!.Value);
            return new UnitResult(fullPath, "skipped (already loaded)", default);
        }

        await using (writer)
        {
            long messages;
            string? stoppedAt;
            if (file.Buffered is { } buffered)
            {
                await buffered.ReplayAsync(writer, cancellationToken).ConfigureAwait(false);
                var parsed = await writer.CommitAsync(new { kind = "mbox", size, messages = file.Messages, stopped_at = file.StoppedAt }, cancellationToken).ConfigureAwait(false);
                Log.UnitLoaded(_logger, fullPath, parsed.Read, parsed.Loaded, parsed.Quarantined, parsed.Duplicate, watch.ElapsedMilliseconds);
                return new UnitResult(fullPath, "loaded", parsed);
            }

            await using var stream = new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16);
            var landing = Stopwatch.GetTimestamp();
            var copying = times?.Copy ?? 0;
            if (mbox)
            {
                (messages, stoppedAt) = await LandMboxAsync(stream, fullPath, extractor, writer, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await LandSingleAsync(stream, fullPath, size, extractor, writer, cancellationToken).ConfigureAwait(false);
                (messages, stoppedAt) = (1, null);
            }

            if (times is not null)
            {
                // Parsing and staging interleave here: what was not COPY was parsing.
                times.Add(ref times.Parse, landing);
                times.Parse -= times.Copy - copying;
            }

            var counts = await writer.CommitAsync(new { kind = mbox ? "mbox" : "eml", size, messages, stopped_at = stoppedAt }, cancellationToken).ConfigureAwait(false);
            Log.UnitLoaded(_logger, fullPath, counts.Read, counts.Loaded, counts.Quarantined, counts.Duplicate, watch.ElapsedMilliseconds);
            return new UnitResult(fullPath, "loaded", counts);
        }
    }

    private static async Task LandSingleAsync(Stream stream, string path, long size, EmailExtractor extractor, IEmailSink writer, CancellationToken cancellationToken)
    {
        MimeMessage message;
        try
        {
            // Persistent: parts refer to byte ranges of the open file instead of copies, so a
            // 50 MB attachment is measured by streaming it, never held in memory.
            message = await MimeMessage.LoadAsync(EmailExtractor.ParserOptions, stream, persistent: true, cancellationToken).ConfigureAwait(false);
        }
        catch (FormatException e)
        {
            writer.Quarantine(RawRow(path, 0, 1, $"unparseable message: {e.Message}", size));
            return;
        }

        await AddAsync(message, path, null, 1, size, null, extractor, writer, "eml", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Streams an mbox, each message located by its <c>From </c> line's byte offset. The file is cut into its messages'
    /// bytes at the separator lines (<see cref="MboxSplitter"/>: a forward byte scan, the only part on this thread), and
    /// each message is parsed (MimeKit) and extracted (text out of MIME and HTML, quotes, intent) on the thread pool, up
    /// to <see cref="ExtractAhead"/> messages ahead of <paramref name="writer"/>; the results reach it in file order, so
    /// indexes, offsets and quarantine rows are those of one sequential parse. A message MimeKit cannot parse (broken
    /// headers) is quarantined from its separator up to the next one, and the messages after it still load.
    /// </summary>
    internal static async Task<(long Messages, string? StoppedAt)> LandMboxAsync(
        Stream stream, string path, EmailExtractor extractor, IEmailSink writer, CancellationToken cancellationToken)
    {
        var splitter = new MboxSplitter(stream);
        var ahead = new Queue<Task<Extracted>>();
        long index = 0;
        Task<Extracted>? last = null;
        long lastOffset = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (found, start, bytes, parseLength) = await splitter.NextAsync(cancellationToken).ConfigureAwait(false);
            if (!found)
            {
                break;
            }

            var number = ++index;
            lastOffset = start;
            last = Task.Run(() => ParseRange(bytes, parseLength, start, number, path, extractor), cancellationToken);
            ahead.Enqueue(last);
            await WriteAheadAsync(ahead, ExtractAhead, writer, "mbox", cancellationToken).ConfigureAwait(false);
        }

        await WriteAheadAsync(ahead, 0, writer, "mbox", cancellationToken).ConfigureAwait(false);
        if (index == 0)
        {
            // An empty file is not a mailbox with no messages: as the sequential parse did, it is one unparseable message.
            writer.Quarantine(QuarantineRow.FromBytes(1, 0, "unparseable mbox data from byte 0: the file is empty", [], 0));
            return (1, "byte 0");
        }

        // As the sequential parse said it: an unparseable last message is where the file's reading stopped.
        var stoppedAt = last is { IsCompletedSuccessfully: true, Result.Unparseable: true } ? $"byte {lastOffset}" : null;
        return (index, stoppedAt);
    }

    /// <summary>
    /// Parses the first <paramref name="parseLength"/> of one message's bytes and extracts it (<paramref name="start"/>:
    /// their offset in the file); its size and a quarantine row's raw text are all of <paramref name="bytes"/>.
    /// </summary>
    private static Extracted ParseRange(byte[] bytes, int parseLength, long start, long index, string path, EmailExtractor extractor)
    {
        using var memory = new MemoryStream(bytes, 0, parseLength, writable: false);
        var parser = new MimeParser(EmailExtractor.ParserOptions, memory, MimeFormat.Mbox, persistent: false);
        MimeMessage message;
        try
        {
            message = parser.ParseMessage();
        }
        catch (FormatException e)
        {
            return new Extracted(null, QuarantineRow.FromBytes(index, start, $"unparseable mbox data from byte {start}: {e.Message}", bytes, bytes.Length), Unparseable: true);
        }

        var offset = start + parser.MboxMarkerOffset;
        // The separator's date is when the message was stored: the sent time when it has no Date header.
        DateTimeOffset? stored = MboxFromLine.TryParseDate(parser.MboxMarker, out var separatorDate) ? separatorDate : null;
        return Extract(message, $"{path}@{offset}", offset, index, start + bytes.Length - offset, stored, extractor);
    }

    /// <summary>Messages an mbox's reader may be ahead of the writer while they are extracted.</summary>
    internal static int ExtractAhead { get; } = Math.Max(2, 2 * Environment.ProcessorCount);

    /// <summary>Writes the oldest extracted messages, in order, until at most <paramref name="keep"/> are left.</summary>
    private static async Task WriteAheadAsync(Queue<Task<Extracted>> ahead, int keep, IEmailSink writer, string kind, CancellationToken cancellationToken)
    {
        while (ahead.Count > keep)
        {
            await WriteAsync(await ahead.Dequeue().ConfigureAwait(false), writer, kind, cancellationToken).ConfigureAwait(false);
        }
    }

    private static Task AddAsync(
        MimeMessage message, string location, long? offset, long index, long length, DateTimeOffset? stored, EmailExtractor extractor,
        IEmailSink writer, string kind, CancellationToken cancellationToken) =>
        WriteAsync(Extract(message, location, offset, index, length, stored, extractor), writer, kind, cancellationToken);

    private static async Task WriteAsync(Extracted extracted, IEmailSink writer, string kind, CancellationToken cancellationToken)
    {
        if (extracted.Email is { } email)
        {
            await writer.AddAsync(email, kind, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            writer.Quarantine(extracted.Rejected!);
        }
    }

    /// <summary>A message's parsed email, or the quarantine row saying why it has none.</summary>
    private static Extracted Extract(
        MimeMessage message, string location, long? offset, long index, long length, DateTimeOffset? stored, EmailExtractor extractor)
    {
        ParsedEmail? email;
        string? rejection;
        try
        {
            email = extractor.Extract(message, location, offset, stored, length, out rejection);
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or ArgumentException or NotSupportedException)
        {
            email = null;
            rejection = $"cannot extract: {e.GetType().Name}: {e.Message}";
        }

        if (email is not null)
        {
            return new Extracted(email, null);
        }

        var path = offset is null ? location : location[..location.LastIndexOf('@')];
        return new Extracted(null, RawRow(path, offset ?? 0, index, rejection!, length));
    }

    private sealed record Extracted(ParsedEmail? Email, QuarantineRow? Rejected, bool Unparseable = false);

    /// <summary>A quarantine row holding the message's location and its first bytes.</summary>
    private static QuarantineRow RawRow(string path, long offset, long index, string reason, long length)
    {
        var buffer = new byte[(int)Math.Min(QuarantineRow.MaxRawChars, Math.Max(0, length))];
        var read = 0;
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            file.Position = offset;
            read = file.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        }
        catch (IOException)
        {
            // The location still says where the bytes are.
        }

        return QuarantineRow.FromBytes(index, offset, reason, buffer.AsSpan(0, read), length);
    }

    private static bool IsMbox(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        Span<byte> head = stackalloc byte[5];
        return stream.ReadAtLeast(head, 5, throwOnEndOfStream: false) == 5 && head.SequenceEqual("From "u8);
    }

    private static bool IsMessageFile(string root, string file)
    {
        var name = Path.GetFileName(file);
        if (name.StartsWith('.') || name.StartsWith("dovecot", StringComparison.Ordinal) || name.StartsWith("courier", StringComparison.Ordinal)
            || IgnoredNames.Contains(name.ToLowerInvariant()) || name.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        // Maildir tmp/ holds deliveries still being written.
        var relative = Path.GetRelativePath(root, file).Split(Path.DirectorySeparatorChar);
        return !relative[..^1].Contains("tmp");
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1601, Level = LogLevel.Information, Message = "Loaded mail file {SourceUnit}: read {Read}, loaded {Loaded}, quarantined {Quarantined}, duplicate {Duplicate} in {ElapsedMs} ms")]
        public static partial void UnitLoaded(ILogger logger, string sourceUnit, long read, long loaded, long quarantined, long duplicate, long elapsedMs);

        [LoggerMessage(EventId = 1602, Level = LogLevel.Information, Message = "Skipped mail file {SourceUnit}: its bytes were loaded before (ledger {LedgerId})")]
        public static partial void UnitSkipped(ILogger logger, string sourceUnit, long ledgerId);

        [LoggerMessage(EventId = 1603, Level = LogLevel.Warning, Message = "Cannot read mail file {SourceUnit}: {Reason}")]
        public static partial void UnitUnreadable(ILogger logger, string sourceUnit, string reason);

        [LoggerMessage(EventId = 1604, Level = LogLevel.Information, Message = "Mail drop of {Files} file(s) done in {ElapsedMs} ms: {Phases}")]
        public static partial void DropLoaded(ILogger logger, int files, long elapsedMs, string phases);
    }
}
