using System.Diagnostics;
using System.Text.Json;
using Crm.Pipeline.Privacy;
using Crm.Pipeline.Warehouse;
using Npgsql;
using NpgsqlTypes;

namespace Crm.Pipeline.Sources.WebLogs;

public sealed partial class WebLogIngester
{
    private static readonly string LinksSql = SqlResource.Load("weblog_links.sql");

    /// <summary>
    /// One segment being landed in a <see cref="Batch"/>'s transaction (open from the first line taken): the hits stream
    /// straight into a binary COPY as they are parsed (no list of rows, and the server works while
    /// the next lines are parsed), while quarantined lines, sessions and visitor links collect what
    /// they need. <see cref="FinishAsync"/> finishes the COPY, writes the rest, the file's new offset
    /// and the ledger row, all committed together by the batch. Disposing unfinished aborts the transaction.
    /// </summary>
    private sealed class SegmentWriter : IAsyncDisposable
    {
        private readonly NpgsqlConnection _connection;
        private readonly NpgsqlTransaction _transaction;
        private readonly NpgsqlBinaryImporter _importer;
        private readonly FileState _state;
        private readonly WebLogSourceOptions _source;
        private readonly IWebLogLineParser _parser;
        private readonly WebLogsOptions _options;
        private readonly string _path;
        private readonly long _start;
        private readonly long _ledgerId;
        private readonly WebSessionizer _sessions;
        private readonly Suppression? _suppression;
        private readonly WebSessionizer.LastSessionCache _lastSessions;
        private readonly Dictionary<(string Visitor, string Source, string Id), (string Evidence, DateTime First, DateTime Last)> _links = [];
        private readonly HashSet<string> _tokens = new(StringComparer.Ordinal);
        private int _loaded;

        private SegmentWriter(
            NpgsqlConnection connection, NpgsqlTransaction transaction, NpgsqlBinaryImporter importer, FileState state, WebLogSourceOptions source,
            IWebLogLineParser parser, WebLogsOptions options, string path, long start, long ledgerId, WebSessionizer sessions, Suppression? suppression,
            WebSessionizer.LastSessionCache lastSessions)
        {
            _lastSessions = lastSessions;
            _sessions = sessions;
            _suppression = suppression;
            sessions.Clear();
            _connection = connection;
            _transaction = transaction;
            _importer = importer;
            _state = state;
            _source = source;
            _parser = parser;
            _options = options;
            _path = path;
            _start = start;
            _ledgerId = ledgerId;
        }

        public List<QuarantineRow> Quarantine { get; } = [];

        public static async Task<SegmentWriter> OpenAsync(
            Batch batch, FileState state, WebLogSourceOptions source, IWebLogLineParser parser, long start, string path,
            WebLogsOptions options, WebSessionizer sessions, Guid? runId, CancellationToken cancellationToken)
        {
            var (connection, transaction) = await batch.OpenAsync(cancellationToken).ConfigureAwait(false);
            var started = Stopwatch.GetTimestamp();
            // One round trip: the file's lock (as Ledger.LockAsync takes it), its stored offset, and its ledger row
            // (as Ledger.OpenAsync writes it; the end of the range is known only at the finish, which completes the key).
            // A mismatched offset throws below, and the batch's transaction, ledger row included, rolls back.
            long? current = null;
            long ledgerId = 0;
            await using (var open = new NpgsqlBatch(connection, transaction))
            {
                open.BatchCommands.Add(Positional("select pg_advisory_xact_lock(hashtextextended($1, 0))", "weblogs:" + state.FileKey));
                open.BatchCommands.Add(Positional("select byte_offset from ops.web_log_file where file_key = $1 for update", state.FileKey));
                open.BatchCommands.Add(Positional(
                    """
                    insert into ops.ingest_ledger (source, unit_key, unit_path, checksum, byte_start, byte_end, run_id)
                    values ($1, $2, $3, $4, $5, null, $6) returning ledger_id
                    """,
                    Source, $"{source.Name}:{state.FileKey}:{start}-", path, state.HeadSha256, start,
                    runId is { } run ? run : DBNull.Value));
                open.BatchCommands[^1].Parameters[^1].NpgsqlDbType = NpgsqlDbType.Uuid;
                await using var reader = await open.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await reader.NextResultAsync(cancellationToken).ConfigureAwait(false); // past the lock
                if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    current = reader.GetInt64(0);
                }

                await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
                await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                ledgerId = reader.GetInt64(0);
            }

            if (current is { } moved && moved != start)
            {
                // Another node (or an overlapping run) loaded this range meanwhile: its rows stand.
                throw new InvalidOperationException(
                    $"Web log file {path} ({state.FileKey}) moved from offset {start} to {moved} while this run read it; run the load again.");
            }

            var importer = await connection.BeginBinaryImportAsync(CopyEventsSql, cancellationToken).ConfigureAwait(false);
            WebLogTimings.AddOpen(started);
            return new SegmentWriter(connection, transaction, importer, state, source, parser, options, path, start, ledgerId, sessions, batch.Suppression, batch.LastSessions);
        }

        public void Add(WebEventRow row)
        {
            if (_suppression is not null)
            {
                Anonymise(row, _suppression);
            }

            WriteEvent(_importer, _source.Name, _state.FileKey, _ledgerId, row);
            _loaded++;
            _sessions.Add(row);
            if (row.UserId is { } user)
            {
                Widen(_links, (row.VisitorKey, _source.LinkSourceForLogins, user), "login", row.EventTs);
            }

            if (row.TrackingEmail is { } email)
            {
                Widen(_links, (row.VisitorKey, "email", email), "tracking_token", row.EventTs);
            }
            else if (row.TrackingToken is { Length: > 0 } token)
            {
                // An opaque token: kept as is, resolved through the campaign send logs (now or when they arrive).
                Widen(_links, (row.VisitorKey, "tracking", token), "tracking_token", row.EventTs);
                _tokens.Add(token);
            }
        }

        /// <summary>
        /// Finishes the segment inside the batch's transaction: the COPY, quarantine, sessions, links, the file's
        /// new offset and the ledger row. The batch commits it (with the segments before and after it).
        /// </summary>
        public async Task<IngestCounts> FinishAsync(long end, long lineCount, CancellationToken cancellationToken)
        {
            var step = Stopwatch.GetTimestamp();
            await _importer.CompleteAsync(cancellationToken).ConfigureAwait(false);
            await _importer.DisposeAsync().ConfigureAwait(false);
            WebLogTimings.AddCopy(step);
            step = Stopwatch.GetTimestamp();
            if (_suppression is not null)
            {
                // Quarantined lines naming a forgotten person keep their reason but lose their text.
                for (var i = 0; i < Quarantine.Count; i++)
                {
                    if (_suppression.Mentions(Quarantine[i].RawText, _source.LinkSourceForLogins))
                    {
                        Quarantine[i] = Quarantine[i].Suppressed();
                    }
                }
            }

            if (Quarantine.Count > 0)
            {
                await QuarantineWriter.WriteAsync(_connection, Source, _ledgerId, _path, Quarantine, cancellationToken).ConfigureAwait(false);
            }

            await _sessions.WriteAsync(_connection, _transaction, _source.Name, _options, cancellationToken, _lastSessions).ConfigureAwait(false);
            WebLogTimings.AddSessions(step);
            step = Stopwatch.GetTimestamp();
            await LinkAsync(cancellationToken).ConfigureAwait(false);
            WebLogTimings.AddLinks(step);
            step = Stopwatch.GetTimestamp();

            var counts = new IngestCounts(_loaded + Quarantine.Count, _loaded, Quarantine.Count, 0);
            // One round trip: the file's new offset, and the ledger row's full key, end and counts (as Ledger.CloseAsync records them).
            await using (var close = new NpgsqlBatch(_connection, _transaction))
            {
                var save = new NpgsqlBatchCommand(FileState.SaveSql);
                FileState.AddSaveParameters(save.Parameters, _source.Name, _state, _path, end, lineCount, _parser.State, _parser.FormatName);
                close.BatchCommands.Add(save);
                close.BatchCommands.Add(Positional(
                    """
                    update ops.ingest_ledger
                       set unit_key = $1, byte_end = $2, read_count = $3, loaded_count = $4, quarantined_count = $5, duplicate_count = $6,
                           detail = $7::jsonb, loaded_at = now()
                     where ledger_id = $8
                    """,
                    $"{_source.Name}:{_state.FileKey}:{_start}-{end}", end, counts.Read, counts.Loaded, counts.Quarantined, counts.Duplicate,
                    JsonSerializer.Serialize(new { site = _source.Name, file_key = _state.FileKey, format = _parser.FormatName, byte_start = _start, byte_end = end }),
                    _ledgerId));
                await close.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            WebLogTimings.AddOther(step);
            WebLogTimings.CountSegment();
            _state.ByteOffset = end;
            _state.LineCount = lineCount;
            _state.Format = _parser.FormatName;
            return counts;
        }

        /// <summary>
        /// A hit that reveals a forgotten person (a login's user id, an email tracking token) stays as an
        /// anonymous hit: no user id, token, query or referrer, and a visitor key that no longer derives
        /// from the user id; so no link to a customer is made from it.
        /// </summary>
        private void Anonymise(WebEventRow row, Suppression suppression)
        {
            if (!suppression.IsCustomerSuppressed(_source.LinkSourceForLogins, row.UserId) && !suppression.IsEmailSuppressed(row.TrackingEmail))
            {
                return;
            }

            var keyPrefix = _source.Name + ":";
            if (row.UserId is not null && row.VisitorKey == keyPrefix + "u:" + row.UserId)
            {
                row.VisitorKey = keyPrefix + "x:" + Suppression.Hash(row.UserId, "visitor", keyPrefix)[..24];
            }

            row.UserId = null;
            row.TrackingToken = null;
            row.TrackingEmail = null;
            row.Query = null;
            row.Referrer = null;
        }

        /// <summary>Ends an unfinished COPY (the batch's transaction, then aborted, rolls back).</summary>
        public async ValueTask DisposeAsync() => await _importer.DisposeAsync().ConfigureAwait(false);

        private static NpgsqlBatchCommand Positional(string sql, params object[] values)
        {
            var command = new NpgsqlBatchCommand(sql);
            foreach (var value in values)
            {
                command.Parameters.Add(new NpgsqlParameter { Value = value });
            }

            return command;
        }

        private async Task LinkAsync(CancellationToken cancellationToken)
        {
            if (_links.Count == 0)
            {
                return;
            }

            var n = _links.Count;
            string[] visitors = new string[n], sources = new string[n], ids = new string[n], evidence = new string[n];
            DateTime[] first = new DateTime[n], last = new DateTime[n];
            var i = 0;
            foreach (var (key, value) in _links)
            {
                (visitors[i], sources[i], ids[i]) = key;
                (evidence[i], first[i], last[i]) = value;
                i++;
            }

            // The links and, when the segment brought opaque tokens, their resolution through the send logs: one round trip.
            await using var batch = new NpgsqlBatch(_connection, _transaction);
            var command = new NpgsqlBatchCommand(LinksSql);
            command.Parameters.AddWithValue("visitors", visitors);
            command.Parameters.AddWithValue("sources", sources);
            command.Parameters.AddWithValue("ids", ids);
            command.Parameters.AddWithValue("evidence", evidence);
            command.Parameters.Add(new NpgsqlParameter("first", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { Value = first });
            command.Parameters.Add(new NpgsqlParameter("last", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { Value = last });
            batch.BatchCommands.Add(command);
            if (_tokens.Count > 0)
            {
                batch.BatchCommands.Add(CampaignSendLoader.ResolveCommand([.. _tokens]));
            }

            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
