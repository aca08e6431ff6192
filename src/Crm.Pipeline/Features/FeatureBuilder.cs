using Crm.Pipeline.Warehouse;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace Crm.Pipeline.Features;

/// <summary>
/// Builds <c>ml.customer_features</c> for one cutoff in one transaction: order features (SQL), web and
/// email features when those sources' tables exist, and the BG/NBD probability alive fitted on the
/// same cutoff. Re-running a cutoff replaces its rows. Each build records its cutoff, sample and row count
/// in <c>ml.feature_cutoff</c>.
/// </summary>
public sealed class FeatureBuilder
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly IOptionsMonitor<FeaturesOptions> _options;

    /// <summary>Creates the builder.</summary>
    public FeatureBuilder(NpgsqlDataSource dataSource, IOptionsMonitor<FeaturesOptions> options)
    {
        _dataSource = dataSource;
        _options = options;
    }

    /// <summary>Builds the features of every golden customer with a purchase before <paramref name="cutoff"/>; returns the row count.</summary>
    public Task<long> BuildAsync(DateOnly cutoff, CancellationToken cancellationToken) =>
        BuildAsync(cutoff, FeatureSample.All, cancellationToken);

    /// <summary>
    /// Builds the features of the golden customers with a purchase before <paramref name="cutoff"/> that are in
    /// the hash sample of <paramref name="sampleSlots"/> (<see cref="FeatureSample"/>); returns the row count.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="sampleSlots"/> is not in 1..<see cref="FeatureSample.All"/>.</exception>
    public async Task<long> BuildAsync(DateOnly cutoff, int sampleSlots, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sampleSlots, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(sampleSlots, FeatureSample.All);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

        // The window functions and aggregates sort every order before the cutoff; with the default 4 MB
        // they spill to disk from about a hundred thousand orders on, and with 128 MB still at a million
        // customers (2 million orders). JIT compiling took 5 s a statement there and saved less.
        await RunAsync(connection, "set local work_mem = '256MB'; set local jit = off", cutoff, sampleSlots, cancellationToken).ConfigureAwait(false);

        // Each source's columns go to a temporary table first and the feature rows are inserted once:
        // updating a million wide rows per source cost more than computing them.
        var hasWeb = await ExistsAsync(connection, "core.web_session", "core.web_event", cancellationToken).ConfigureAwait(false)
            && await ExistsAsync(connection, "core.web_visitor_link", "core.campaign_send", cancellationToken).ConfigureAwait(false);
        var hasEmail = await ExistsAsync(connection, "core.email", null, cancellationToken).ConfigureAwait(false);
        await RunAsync(connection, hasWeb ? SqlResource.Load("features_web.sql") : EmptyWeb, cutoff, sampleSlots, cancellationToken).ConfigureAwait(false);

        // The rest reads whole tables, and the planner cannot estimate the orders-to-identity join
        // ('orders:' || feed): it guessed 10 thousand rows for 2 million and looked up the customer and the
        // lines order by order (24 s of 62 at a million customers); hash joins are right for all of them.
        // (The web statement above keeps nested loops: its few sessions counted from their hits want the index.)
        await RunAsync(connection, "set local enable_nestloop = off", cutoff, sampleSlots, cancellationToken).ConfigureAwait(false);
        await WriteProbabilityAliveAsync(connection, cutoff, sampleSlots, cancellationToken).ConfigureAwait(false);
        await RunAsync(connection, hasEmail ? SqlResource.Load("features_email.sql") : EmptyEmail, cutoff, sampleSlots, cancellationToken).ConfigureAwait(false);
        await RunAsync(connection, "analyze p_alive; analyze f_web; analyze f_campaign; analyze f_email", cutoff, sampleSlots, cancellationToken).ConfigureAwait(false);
        var rows = await ExecuteAsync(connection, cutoff, sampleSlots, hasWeb, hasEmail, cancellationToken).ConfigureAwait(false);
        await using (var record = new NpgsqlCommand(
            """
            insert into ml.feature_cutoff (cutoff, sample_slots, customers) values (@cutoff_date, @sample, @rows)
            on conflict (cutoff) do update set sample_slots = excluded.sample_slots, customers = excluded.customers, computed_at = now()
            """, connection))
        {
            CustomerSummaryQuery.AddCutoff(record, cutoff);
            record.Parameters.AddWithValue("sample", sampleSlots);
            record.Parameters.AddWithValue("rows", rows);
            await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return rows;
    }

    private const string EmptyWeb =
        "create temp table f_web (customer_id bigint, sessions_30 bigint, sessions_90 bigint, pages_90 bigint, product_views_90 bigint, "
        + "cart_abandon_90 bigint, days_since double precision, visit_trend double precision, sessions_since_order bigint, "
        + "campaign_clicks_90 bigint, email_clicks_365 bigint) on commit drop; "
        + "create temp table f_campaign (customer_id bigint, sends_365 bigint) on commit drop";

    private const string EmptyEmail =
        "create temp table f_email (customer_id bigint, complaints bigint, cancels bigint, unanswered bigint, response_hours double precision, "
        + "days_since double precision, sentiment double precision) on commit drop";

    private static async Task RunAsync(NpgsqlConnection connection, string sql, DateOnly cutoff, int sampleSlots, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        if (sql.Contains("@cutoff", StringComparison.Ordinal))
        {
            CustomerSummaryQuery.AddCutoff(command, cutoff);
        }

        if (sql.Contains("@sample", StringComparison.Ordinal))
        {
            command.Parameters.AddWithValue("sample", sampleSlots);
        }

        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task WriteProbabilityAliveAsync(NpgsqlConnection connection, DateOnly cutoff, int sampleSlots, CancellationToken cancellationToken)
    {
        await using (var create = new NpgsqlCommand("create temp table p_alive (customer_id bigint, p double precision, q double precision) on commit drop", connection))
        {
            await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        var (ids, summaries) = await CustomerSummaryQuery.ReadAsync(connection, cutoff, sampleSlots, cancellationToken).ConfigureAwait(false);
        if (ids.Length < 2)
        {
            return;
        }

        var horizonWeeks = _options.CurrentValue.HorizonDays / 7.0;
        var model = BgNbdModel.Fit(CustomerSummaryQuery.Sample(summaries, _options.CurrentValue.MaxFitCustomers));
        await using var importer = await connection.BeginBinaryImportAsync("copy p_alive (customer_id, p, q) from stdin (format binary)", cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < ids.Length; i++)
        {
            await importer.StartRowAsync(cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(ids[i], NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(model.ProbabilityAlive(summaries[i]), NpgsqlDbType.Double, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(model.ProbabilityNoPurchase(summaries[i], horizonWeeks), NpgsqlDbType.Double, cancellationToken).ConfigureAwait(false);
        }

        await importer.CompleteAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<long> ExecuteAsync(NpgsqlConnection connection, DateOnly cutoff, int sampleSlots, bool hasWeb, bool hasEmail, CancellationToken cancellationToken)
    {
        await using (var command = new NpgsqlCommand(SqlResource.Load("features_orders.sql"), connection) { CommandTimeout = 0 })
        {
            CustomerSummaryQuery.AddCutoff(command, cutoff);
            command.Parameters.AddWithValue("sample", sampleSlots);
            command.Parameters.AddWithValue("has_web", hasWeb);
            command.Parameters.AddWithValue("has_email", hasEmail);
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
