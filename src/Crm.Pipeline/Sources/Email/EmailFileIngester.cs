using System.Diagnostics;
using Crm.Pipeline.Jobs;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;
using Npgsql;

namespace Crm.Pipeline.Sources.Email;

/// <summary>
/// Loads dropped mail files: <c>.eml</c> files, Maildir folders (any file holding one message) and
/// mbox files, parsed streaming by MimeKit (an mbox is never held in memory: the parser is
/// persistent over the file, so bodies stay on disk until read). One ledger unit per file,
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
    /// Loads every file under <paramref name="paths"/>, one transaction per file; a file that
    /// cannot be read is a failed result and the others still load. Database failures throw.
    /// </summary>
    public async Task<IReadOnlyList<UnitResult>> IngestAsync(IEnumerable<string> paths, Guid? runId, IProgressSink progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(progress);
        var files = Expand(paths);
        var results = new List<UnitResult>(files.Count);
        var extractor = CreateExtractor();
        for (var i = 0; i < files.Count; i++)
        {
            if (i % 16 == 0)
            {
                progress.Report((double)i / Math.Max(1, files.Count), $"email: file {i + 1} of {files.Count}");
            }

            results.Add(await IngestFileAsync(files[i], extractor, runId, cancellationToken).ConfigureAwait(false));
        }

        progress.Report(1, $"email: {files.Count} file(s)");
        return results;
    }

    internal EmailExtractor CreateExtractor()
    {
        var options = _options.CurrentValue;
        return new EmailExtractor(options, IntentRules.Load(options.IntentRulesFile));
    }

    internal async Task<UnitResult> IngestFileAsync(string path, EmailExtractor extractor, Guid? runId, CancellationToken cancellationToken)
    {
        var fullPath = Path.GetFullPath(path);
        string sha;
        long size;
        bool mbox;
        try
        {
            (sha, size) = await SourceFile.FingerprintAsync(fullPath, cancellationToken).ConfigureAwait(false);
            mbox = IsMbox(fullPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log.UnitUnreadable(_logger, fullPath, e.Message);
            return new UnitResult(fullPath, "failed", default, $"cannot read: {e.Message}");
        }

        var watch = Stopwatch.StartNew();
        var (writer, earlier) = await EmailUnitWriter.BeginAsync(_dataSource, "file:", "file:" + fullPath, fullPath, sha, 0, size, runId, cancellationToken).ConfigureAwait(false);
        if (writer is null)
        {
            Log.UnitSkipped(_logger, fullPath, earlier!.Value);
            return new UnitResult(fullPath, "skipped (already loaded)", default);
        }

        await using (writer)
        {
            await using var stream = new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16);
            long messages;
            string? stoppedAt;
            if (mbox)
            {
                (messages, stoppedAt) = await LandMboxAsync(stream, fullPath, size, extractor, writer, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await LandSingleAsync(stream, fullPath, size, extractor, writer, cancellationToken).ConfigureAwait(false);
                (messages, stoppedAt) = (1, null);
            }

            var counts = await writer.CommitAsync(new { kind = mbox ? "mbox" : "eml", size, messages, stopped_at = stoppedAt }, cancellationToken).ConfigureAwait(false);
            Log.UnitLoaded(_logger, fullPath, counts.Read, counts.Loaded, counts.Quarantined, counts.Duplicate, watch.ElapsedMilliseconds);
            return new UnitResult(fullPath, "loaded", counts);
        }
    }

    private static async Task LandSingleAsync(Stream stream, string path, long size, EmailExtractor extractor, EmailUnitWriter writer, CancellationToken cancellationToken)
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

        await AddAsync(message, path, null, 1, size, extractor, writer, "eml", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Streams an mbox: one message at a time, each located by its <c>From </c> line's byte offset.</summary>
    internal static async Task<(long Messages, string? StoppedAt)> LandMboxAsync(
        Stream stream, string path, long size, EmailExtractor extractor, EmailUnitWriter writer, CancellationToken cancellationToken)
    {
        var parser = new MimeParser(EmailExtractor.ParserOptions, stream, MimeFormat.Mbox, persistent: true);
        long index = 0;
        while (!parser.IsEndOfStream)
        {
            cancellationToken.ThrowIfCancellationRequested();
            MimeMessage message;
            long offset;
            try
            {
                message = await parser.ParseMessageAsync(cancellationToken).ConfigureAwait(false);
                offset = parser.MboxMarkerOffset;
            }
            catch (FormatException e)
            {
                // The parser cannot find the next "From " line: the rest of the file is not mbox.
                var at = index == 0 ? 0 : parser.Position;
                writer.Quarantine(RawRow(path, at, index + 1, $"unparseable mbox data from byte {at}: {e.Message}", size - at));
                return (index + 1, $"byte {at}");
            }

            index++;
            var length = parser.Position - offset;
            await AddAsync(message, $"{path}@{offset}", offset, index, length, extractor, writer, "mbox", cancellationToken).ConfigureAwait(false);
        }

        return (index, null);
    }

    private static async Task AddAsync(
        MimeMessage message, string location, long? offset, long index, long length, EmailExtractor extractor,
        EmailUnitWriter writer, string kind, CancellationToken cancellationToken)
    {
        ParsedEmail? email;
        string? rejection;
        try
        {
            email = extractor.Extract(message, location, offset, null, length, out rejection);
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or ArgumentException or NotSupportedException)
        {
            email = null;
            rejection = $"cannot extract: {e.GetType().Name}: {e.Message}";
        }

        if (email is null)
        {
            var path = offset is null ? location : location[..location.LastIndexOf('@')];
            writer.Quarantine(RawRow(path, offset ?? 0, index, rejection!, length));
            return;
        }

        await writer.AddAsync(email, kind, cancellationToken).ConfigureAwait(false);
    }

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
    }
}
