using System.Diagnostics;
using Crm.Pipeline.Privacy;
using Npgsql;

namespace Crm.Pipeline.Sources.WebLogs;

public sealed partial class WebLogIngester
{
    /// <summary>Most segments one transaction carries, whatever their size (many small daily files share one).</summary>
    internal const int MaxSegmentsPerTransaction = 256;

    /// <summary>
    /// The transaction that consecutive segments share: small files (a day's rotated log each) are
    /// landed several to a transaction, up to <see cref="WebLogSourceOptions.SegmentBytes"/> of input
    /// or <see cref="MaxSegmentsPerTransaction"/> segments, so a commit, a connection and the
    /// suppression list are paid once per batch instead of once per file. Each segment still has its
    /// own ledger row and file offset, written in the same transaction as its rows: what commits is
    /// always whole segments with their rows. The identity look-ups of the files run on the batch's
    /// connection too, so a file sees what earlier files of the same batch recorded (and no look-up
    /// waits on a row lock the batch itself holds). Disposing without committing rolls it all back.
    /// </summary>
    internal sealed class Batch : IAsyncDisposable
    {
        private readonly NpgsqlDataSource _dataSource;
        private NpgsqlConnection? _connection;
        private NpgsqlTransaction? _transaction;

        private int _suppressed = -1;

        public Batch(NpgsqlDataSource dataSource) => _dataSource = dataSource;

        /// <summary>
        /// The last session written per visitor across this batch's transactions (see <see cref="WebSessionizer.LastSessionCache"/>):
        /// cleared when a transaction ends without committing, or when the suppression list changed between transactions.
        /// </summary>
        public WebSessionizer.LastSessionCache LastSessions { get; } = new();

        /// <summary>The suppression list, read once per transaction under its shared lock.</summary>
        public Suppression? Suppression { get; private set; }

        public long Bytes { get; private set; }

        public int Segments { get; private set; }

        public bool IsOpen => _transaction is not null;

        public async Task<(NpgsqlConnection Connection, NpgsqlTransaction Transaction)> OpenAsync(CancellationToken cancellationToken)
        {
            if (_connection is not null && _transaction is not null)
            {
                return (_connection, _transaction);
            }

            var started = Stopwatch.GetTimestamp();
            var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                // Forgotten people stay forgotten (the forget command holds the exclusive side of this lock).
                await Suppression.LockSharedAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
                Suppression = await Suppression.LoadAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
                if ((Suppression?.Count ?? 0) != _suppressed)
                {
                    // Someone was forgotten since the last transaction: their sessions may have changed under the cache.
                    LastSessions.Clear();
                    _suppressed = Suppression?.Count ?? 0;
                }
                _connection = connection;
                _transaction = transaction;
            }
            catch
            {
                await connection.DisposeAsync().ConfigureAwait(false);
                throw;
            }

            WebLogTimings.AddOpen(started);
            WebLogTimings.CountTransaction();
            return (_connection, _transaction);
        }

        /// <summary>Counts a finished segment; true when the batch is full and should commit.</summary>
        public bool Added(long bytes, int limitBytes)
        {
            Bytes += bytes;
            Segments++;
            return Bytes >= limitBytes || Segments >= MaxSegmentsPerTransaction;
        }

        public async Task CommitAsync(CancellationToken cancellationToken)
        {
            if (_transaction is null)
            {
                return;
            }

            var started = Stopwatch.GetTimestamp();
            await _transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            WebLogTimings.AddOther(started);
            await _transaction.DisposeAsync().ConfigureAwait(false);
            _transaction = null;
            await CloseAsync().ConfigureAwait(false);
        }

        public ValueTask DisposeAsync() => CloseAsync();

        private async ValueTask CloseAsync()
        {
            if (_transaction is not null)
            {
                // Not committed (CommitAsync clears it first): what this transaction wrote is rolled back, so is the cache.
                LastSessions.Clear();
                await _transaction.DisposeAsync().ConfigureAwait(false);
                _transaction = null;
            }

            if (_connection is not null)
            {
                await _connection.DisposeAsync().ConfigureAwait(false);
                _connection = null;
            }

            Suppression = null;
            Bytes = 0;
            Segments = 0;
        }
    }
}
