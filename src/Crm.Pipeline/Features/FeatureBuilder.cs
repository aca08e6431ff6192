using Crm.Pipeline.Churn;
using Crm.Pipeline.Clv;
using Crm.Pipeline.Warehouse;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace Crm.Pipeline.Features;

/// <summary>
/// Builds <c>ml.customer_features</c> for one cutoff in one transaction: order features (SQL), web and
/// email features when those sources' tables exist, and the BG/NBD probability alive fitted on the
/// same cutoff. Re-running a cutoff replaces its rows.
/// </summary>
public sealed class FeatureBuilder
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly IOptionsMonitor<ChurnOptions> _options;

    /// <summary>Creates the builder.</summary>
    public FeatureBuilder(NpgsqlDataSource dataSource, IOptionsMonitor<ChurnOptions> options)
    {
        _dataSource = dataSource;
        _options = options;
    }

    /// <summary>Builds the features of every golden customer with a purchase before <paramref name="cutoff"/>; returns the row count.</summary>
    public async Task<long> BuildAsync(DateOnly cutoff, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var rows = await ExecuteAsync(connection, "features_orders.sql", cutoff, cancellationToken).ConfigureAwait(false);
        if (await ExistsAsync(connection, "core.web_session", "core.web_event", cancellationToken).ConfigureAwait(false)
            && await ExistsAsync(connection, "core.web_visitor_link", null, cancellationToken).ConfigureAwait(false))
        {
            await ExecuteAsync(connection, "features_web.sql", cutoff, cancellationToken).ConfigureAwait(false);
        }

        if (await ExistsAsync(connection, "core.email", null, cancellationToken).ConfigureAwait(false))
        {
            await ExecuteAsync(connection, "features_email.sql", cutoff, cancellationToken).ConfigureAwait(false);
        }

        await WriteProbabilityAliveAsync(connection, cutoff, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return rows;
    }

    private async Task WriteProbabilityAliveAsync(NpgsqlConnection connection, DateOnly cutoff, CancellationToken cancellationToken)
    {
        var (ids, summaries) = await CustomerSummaryQuery.ReadAsync(connection, cutoff, cancellationToken).ConfigureAwait(false);
        if (ids.Length < 2)
        {
            return;
        }

        var horizonWeeks = _options.CurrentValue.HorizonDays / 7.0;
        var model = BgNbdModel.Fit(CustomerSummaryQuery.Sample(summaries, _options.CurrentValue.MaxFitCustomers));
        await using (var create = new NpgsqlCommand("create temp table p_alive (customer_id bigint, p double precision, q double precision) on commit drop", connection))
        {
            await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using (var importer = await connection.BeginBinaryImportAsync("copy p_alive (customer_id, p, q) from stdin (format binary)", cancellationToken).ConfigureAwait(false))
        {
            for (var i = 0; i < ids.Length; i++)
            {
                await importer.StartRowAsync(cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(ids[i], NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(model.ProbabilityAlive(summaries[i]), NpgsqlDbType.Double, cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(model.ProbabilityNoPurchase(summaries[i], horizonWeeks), NpgsqlDbType.Double, cancellationToken).ConfigureAwait(false);
            }

            await importer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }

        await using var update = new NpgsqlCommand(
            "update ml.customer_features f set bgnbd_p_alive = p.p, bgnbd_p_no_purchase = p.q from p_alive p where f.cutoff = @cutoff_date and f.customer_id = p.customer_id",
            connection);
        CustomerSummaryQuery.AddCutoff(update, cutoff);
        await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<long> ExecuteAsync(NpgsqlConnection connection, string file, DateOnly cutoff, CancellationToken cancellationToken)
    {
        await using (var command = new NpgsqlCommand(SqlResource.Load(file), connection) { CommandTimeout = 0 })
        {
            CustomerSummaryQuery.AddCutoff(command, cutoff);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using var count = new NpgsqlCommand("select count(*) from ml.customer_features where cutoff = @cutoff_date", connection);
        CustomerSummaryQuery.AddCutoff(count, cutoff);
        return (long)(await count.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    private static async Task<bool> ExistsAsync(NpgsqlConnection connection, string table, string? other, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("select to_regclass(@a) is not null and (@b::text is null or to_regclass(@b) is not null)", connection);
        command.Parameters.AddWithValue("a", table);
        command.Parameters.Add(new NpgsqlParameter("b", NpgsqlDbType.Text) { Value = (object?)other ?? DBNull.Value });
        return (bool)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }
}
