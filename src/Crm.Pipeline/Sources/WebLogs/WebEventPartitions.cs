using System.Collections.Concurrent;
using System.Globalization;
using Npgsql;

namespace Crm.Pipeline.Sources.WebLogs;

/// <summary>
/// Creates the monthly partitions of <c>core.web_event</c> on demand, before a segment's
/// transaction, so the segment never holds a lock on the parent table while creating one. A
/// partition is created standalone and then attached (attach takes a weaker lock than
/// <c>create … partition of</c>), under an advisory lock so two nodes don't race.
/// </summary>
internal sealed class WebEventPartitions
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly ConcurrentDictionary<int, bool> _known = new();

    public WebEventPartitions(NpgsqlDataSource dataSource) => _dataSource = dataSource;

    public static string Name(int yearMonth) => $"web_event_p{yearMonth:D6}";

    /// <summary>Whether the month of <paramref name="utc"/> is known to have its partition (created or seen by this instance).</summary>
    public bool IsKnown(DateTime utc) => _known.ContainsKey(utc.Year * 100 + utc.Month);

    public async Task EnsureAsync(IEnumerable<int> yearMonths, CancellationToken cancellationToken)
    {
        var missing = yearMonths.Where(m => !_known.ContainsKey(m)).ToList();
        if (missing.Count == 0)
        {
            return;
        }

        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await Ledger.LockAsync(connection, transaction, "core.web_event partitions", cancellationToken).ConfigureAwait(false);
        var existing = new HashSet<string>(StringComparer.Ordinal);
        await using (var list = new NpgsqlCommand(
            "select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid where i.inhparent = 'core.web_event'::regclass",
            connection, transaction))
        await using (var reader = await list.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                existing.Add(reader.GetString(0));
            }
        }

        foreach (var month in missing)
        {
            var name = Name(month);
            if (!existing.Contains(name))
            {
                var from = new DateTime(month / 100, month % 100, 1, 0, 0, 0, DateTimeKind.Utc);
                var to = from.AddMonths(1);
                var sql = string.Create(CultureInfo.InvariantCulture,
                    $"""
                    create table if not exists core.{name} (like core.web_event including defaults);
                    alter table core.web_event attach partition core.{name}
                        for values from ('{from:yyyy-MM-dd}T00:00:00Z') to ('{to:yyyy-MM-dd}T00:00:00Z');
                    """);
                await using var create = new NpgsqlCommand(sql, connection, transaction);
                await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        foreach (var month in missing)
        {
            _known[month] = true;
        }
    }
}
