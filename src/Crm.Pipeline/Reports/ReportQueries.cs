using System.Data.Common;
using Crm.Pipeline.Warehouse;
using Npgsql;
using NpgsqlTypes;

namespace Crm.Pipeline.Reports;

/// <summary>
/// Reads every figure of a report from the warehouse with the embedded <c>report_*.sql</c> files. One
/// instance serves one run of the reports stage: recipients who see the same scope, time zone, period and
/// "now" share one read, and the figures no scope changes (data health, failed stages, the model) are
/// read once per period, so fifty managers cost about what one does (#20).
/// </summary>
internal sealed class ReportQueries
{
    private static readonly string Head = SqlResource.Load("report_scoped_orders.sql");
    private static readonly string KpiSql = Head + SqlResource.Load("report_kpis.sql");
    private static readonly string SegmentSql = Head + SqlResource.Load("report_segments.sql");
    private static readonly string Stakes = Head + SqlResource.Load("report_stakes.sql");
    private static readonly string AtRiskSql = Stakes + SqlResource.Load("report_at_risk.sql");
    private static readonly string BandSql = Stakes + SqlResource.Load("report_at_risk_bands.sql");
    private static readonly string CurrencySql = Head + SqlResource.Load("report_currencies.sql");
    private static readonly string SegmentActionSql = Stakes + SqlResource.Load("report_segment_actions.sql");
    private static readonly string RiserSql = Head + SqlResource.Load("report_risk_risers.sql");
    private static readonly string WonBackSql = Head + SqlResource.Load("report_won_back.sql");
    private static readonly string SourceSql = SqlResource.Load("report_data_health.sql");
    private static readonly string FailedSql = SqlResource.Load("report_failed_jobs.sql");
    private static readonly string ModelSql = SqlResource.Load("report_model_health.sql");

    private readonly NpgsqlDataSource _dataSource;
    private readonly ReportsOptions _options;
    private readonly Dictionary<ReadKey, ReportData> _reads = [];
    private readonly Dictionary<(DateTimeOffset Since, DateTimeOffset End, DateTimeOffset FailedSince), Health> _health = [];

    public ReportQueries(NpgsqlDataSource dataSource, ReportsOptions options)
    {
        _dataSource = dataSource;
        _options = options;
    }

    /// <summary>Number of trend points per cadence.</summary>
    internal static int TrendLength(string cadence) => cadence switch { "monthly" => 12, "weekly" => 12, _ => 14 };

    /// <summary>The trend buckets ending with the report's period (months, weeks or days).</summary>
    internal static IReadOnlyList<(DateOnly Start, DateOnly End)> TrendBuckets(ReportPeriod period)
    {
        var n = TrendLength(period.Cadence);
        var list = new List<(DateOnly, DateOnly)>(n);
        for (var k = n - 1; k >= 0; k--)
        {
            list.Add(period.Cadence switch
            {
                "monthly" => (period.Start.AddMonths(-k), period.Start.AddMonths(-k + 1)),
                "weekly" => (period.End.AddDays(-7 * (k + 1)), period.End.AddDays(-7 * k)),
                _ => (period.End.AddDays(-(k + 1)), period.End.AddDays(-k)),
            });
        }

        return list;
    }

    /// <summary>
    /// Reads the report of <paramref name="recipient"/> for <paramref name="period"/>. Model outputs are
    /// taken as of <paramref name="asOf"/> (the report's "now"); operational health as of <paramref name="realNow"/>.
    /// </summary>
    public async Task<ReportData> ReadAsync(RecipientOptions recipient, ReportPeriod period, DateTimeOffset asOf, DateTimeOffset realNow, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(recipient);
        // What a report shows depends on these alone (name, address and language only change how it is written).
        var key = new ReadKey(Scope(recipient.Scope.Region), Scope(recipient.Scope.Segment), Scope(recipient.Scope.Channel), recipient.TimeZone, period, asOf, realNow);
        if (_reads.TryGetValue(key, out var shared))
        {
            return shared with { Recipient = recipient };
        }

        var data = await ReadUncachedAsync(recipient, period, asOf, realNow, cancellationToken).ConfigureAwait(false);
        _reads[key] = data;
        return data;
    }

    private async Task<ReportData> ReadUncachedAsync(RecipientOptions recipient, ReportPeriod period, DateTimeOffset asOf, DateTimeOffset realNow, CancellationToken cancellationToken)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(recipient.TimeZone);
        DateTimeOffset At(DateOnly d) => ReportSchedule.SendTimeUtc(d, 0, zone);

        var buckets = TrendBuckets(period);
        var ranges = new List<(DateOnly S, DateOnly E)> { (period.Start, period.End), period.Previous, period.YearBefore };
        ranges.AddRange(buckets);
        ranges.AddRange(buckets.Select(b => (b.Start.AddYears(-1), b.End.AddYears(-1))));
        // CLV of the current period is the latest one (computed after the period closed); others as of their end.
        var clvAsOf = ranges.Select((r, i) => i == 0 ? asOf : At(r.E)).ToArray();

        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var kpis = new List<Kpis>(ranges.Count);
        await using (var command = Scoped(connection, KpiSql, recipient))
        {
            command.Parameters.Add(new NpgsqlParameter("starts", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { Value = ranges.Select(r => At(r.S).UtcDateTime).ToArray() });
            command.Parameters.Add(new NpgsqlParameter("ends", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { Value = ranges.Select(r => At(r.E).UtcDateTime).ToArray() });
            command.Parameters.Add(new NpgsqlParameter("clv_asof", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { Value = clvAsOf.Select(a => a.UtcDateTime).ToArray() });
            command.Parameters.AddWithValue("churn_days", _options.ChurnAfterDays);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                kpis.Add(new Kpis(
                    reader.GetDecimal(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5),
                    reader.GetInt64(6), reader.GetInt64(7), reader.IsDBNull(8) ? null : reader.GetDouble(8), reader.GetInt64(9)));
            }
        }

        var trend = new List<TrendPoint>(buckets.Count);
        for (var i = 0; i < buckets.Count; i++)
        {
            trend.Add(new TrendPoint(buckets[i].Start, buckets[i].End, kpis[3 + i], kpis[3 + buckets.Count + i]));
        }

        var segments = new List<SegmentRow>();
        await using (var command = Scoped(connection, SegmentSql, recipient))
        {
            command.Parameters.AddWithValue("s", At(period.Start).UtcDateTime);
            command.Parameters.AddWithValue("e", At(period.End).UtcDateTime);
            command.Parameters.AddWithValue("churn_days", _options.ChurnAfterDays);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                segments.Add(new SegmentRow(reader.GetString(0), reader.GetInt64(1), reader.GetDecimal(2)));
            }
        }

        var currencies = new List<string>();
        await using (var command = Scoped(connection, CurrencySql, recipient))
        {
            command.Parameters.AddWithValue("s", At(period.Start).UtcDateTime);
            command.Parameters.AddWithValue("e", At(period.End).UtcDateTime);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                currencies.Add(reader.GetString(0));
            }
        }

        var atRisk = await ReadAtRiskAsync(connection, recipient, asOf, Math.Max(_options.AtRiskRows, _options.AtRiskCsvRows), cancellationToken).ConfigureAwait(false);
        var bands = new List<RiskBandRow>();
        await using (var command = Scoped(connection, BandSql, recipient))
        {
            command.Parameters.AddWithValue("asof", asOf.UtcDateTime);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                bands.Add(new RiskBandRow(reader.GetString(0), reader.GetInt64(1), reader.GetDouble(2)));
            }
        }

        var stakes = new List<SegmentStakeRow>();
        await using (var command = Scoped(connection, SegmentActionSql, recipient))
        {
            command.Parameters.AddWithValue("asof", asOf.UtcDateTime);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                stakes.Add(new SegmentStakeRow(reader.GetString(0), reader.GetInt64(1), reader.GetDouble(2)));
            }
        }

        // The previous report's "now": as far before this one as the period is long (a month, a week, a day).
        var previousAt = asOf - (At(period.End) - At(period.Start));
        var risers = new List<RiskRiserRow>();
        await using (var command = Scoped(connection, RiserSql, recipient))
        {
            command.Parameters.AddWithValue("asof", asOf.UtcDateTime);
            command.Parameters.AddWithValue("prev_asof", previousAt.UtcDateTime);
            command.Parameters.AddWithValue("top", _options.RiskRiserRows);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                risers.Add(new RiskRiserRow(reader.GetInt64(0), reader.GetString(1), Str(reader, 2), reader.GetDouble(3), reader.GetDouble(4),
                    Ts(reader, 5)!.Value, ChurnDrivers.Parse(Str(reader, 6)))
                {
                    Facts = ChurnDrivers.ParseFacts(Str(reader, 6)), ScoredAt = Ts(reader, 7),
                });
            }
        }

        WonBack wonBack;
        await using (var command = Scoped(connection, WonBackSql, recipient))
        {
            command.Parameters.AddWithValue("s", At(period.Start).UtcDateTime);
            command.Parameters.AddWithValue("e", At(period.End).UtcDateTime);
            command.Parameters.AddWithValue("churn_days", _options.ChurnAfterDays);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            wonBack = new WonBack(reader.GetInt64(0), reader.GetDecimal(1));
        }

        // Data health and failures are measured at the period's end (a report of a past period shows how its
        // data stood then), by the records' own times rather than when they were loaded.
        var periodEnd = At(period.End);
        var since = At(period.Start);
        // Failed stages are the pipeline's own health: counted back from the time of sending.
        var failedSince = realNow.AddDays(-Math.Max(1, period.Days));
        if (!_health.TryGetValue((since, periodEnd, failedSince), out var health))
        {
            health = await ReadHealthAsync(connection, since, periodEnd, failedSince, cancellationToken).ConfigureAwait(false);
            _health[(since, periodEnd, failedSince)] = health;
        }

        var (sources, failed, model) = health;
        var target = string.IsNullOrWhiteSpace(_options.Currency) ? null : _options.Currency.Trim().ToUpperInvariant();
        var others = target is null ? [] : currencies.Where(c => !c.Equals(target, StringComparison.OrdinalIgnoreCase)).ToList();
        var rates = others.Where(c => _options.ExchangeRates.ContainsKey(c)).Select(c => (c.ToUpperInvariant(), _options.ExchangeRates[c])).ToList();
        return new ReportData(recipient, period, kpis[0], kpis[1], kpis[2], trend, segments,
            atRisk.Take(_options.AtRiskRows).ToList(), atRisk.Take(_options.AtRiskCsvRows).ToList(), bands, sources, failed, model,
            _options.ChurnAfterDays, asOf, realNow)
        {
            Currencies = currencies,
            DisplayCurrency = target,
            PeriodEndUtc = periodEnd,
            SegmentStakes = stakes,
            WonBack = wonBack,
            RiskRisers = risers,
            PreviousReportAt = previousAt,
            RatesUsed = rates,
            Unconverted = others.Where(c => !_options.ExchangeRates.ContainsKey(c)).Select(c => c.ToUpperInvariant()).ToList(),
        };
    }

    /// <summary>The figures no recipient's scope changes: each source's ingest health, failed stages and the churn model.</summary>
    private static async Task<Health> ReadHealthAsync(
        NpgsqlConnection connection, DateTimeOffset since, DateTimeOffset periodEnd, DateTimeOffset failedSince, CancellationToken cancellationToken)
    {
        var sources = new List<SourceHealthRow>();
        await using (var command = new NpgsqlCommand(SourceSql, connection))
        {
            command.Parameters.AddWithValue("s", since.UtcDateTime);
            command.Parameters.AddWithValue("e", periodEnd.UtcDateTime);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                sources.Add(new SourceHealthRow(reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3),
                    reader.GetInt64(4), reader.GetInt64(5), reader.GetInt64(6), Ts(reader, 7)));
            }
        }

        var failed = new List<FailedJobRow>();
        await using (var command = new NpgsqlCommand(FailedSql, connection))
        {
            command.Parameters.AddWithValue("since", failedSince.UtcDateTime);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                failed.Add(new FailedJobRow(reader.GetString(0), reader.GetInt64(1), Ts(reader, 2)!.Value, reader.IsDBNull(3) ? null : reader.GetString(3)));
            }
        }

        ModelHealth? model = null;
        await using (var command = new NpgsqlCommand(ModelSql, connection))
        {
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                model = new ModelHealth(reader.GetString(0), reader.GetString(1), Dbl(reader, 2), Ts(reader, 3)!.Value,
                    reader.IsDBNull(4) ? null : reader.GetString(4), Dbl(reader, 5), reader.GetInt64(6))
                {
                    AucTrend = ParseTrend(Str(reader, 7)),
                    HorizonDays = reader.IsDBNull(8) ? null : reader.GetInt32(8),
                };
            }
        }

        return new Health(sources, failed, model);
    }

    private static string? Scope(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    private async Task<List<AtRiskRow>> ReadAtRiskAsync(NpgsqlConnection connection, RecipientOptions recipient, DateTimeOffset asOf, int top, CancellationToken cancellationToken)
    {
        var rows = new List<AtRiskRow>();
        await using (var command = Scoped(connection, AtRiskSql, recipient))
        {
            command.Parameters.AddWithValue("asof", asOf.UtcDateTime);
            command.Parameters.AddWithValue("top", top);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                rows.Add(new AtRiskRow(
                    reader.GetInt64(0), reader.GetString(1), Str(reader, 2), Str(reader, 3), Str(reader, 4),
                    reader.GetDouble(5), reader.GetString(6), reader.GetDouble(7), reader.GetDouble(8),
                    ChurnDrivers.Parse(Str(reader, 9)), Ts(reader, 10), reader.GetInt64(11), null)
                {
                    Phone = Str(reader, 12), Facts = ChurnDrivers.ParseFacts(Str(reader, 9)), ScoredAt = Ts(reader, 13),
                });
            }
        }

        var contacts = await LastContact.ReadAsync(connection, rows.Select(r => r.CustomerId).ToArray(), asOf, cancellationToken).ConfigureAwait(false);
        return rows.Select(r => contacts.TryGetValue(r.CustomerId, out var at) ? r with { LastContact = at } : r).ToList();
    }

    private NpgsqlCommand Scoped(NpgsqlConnection connection, string sql, RecipientOptions recipient)
    {
        var command = new NpgsqlCommand(sql, connection);
        command.Parameters.Add(Text("region", recipient.Scope.Region));
        command.Parameters.Add(Text("segment", recipient.Scope.Segment));
        command.Parameters.Add(Text("channel", recipient.Scope.Channel));
        command.Parameters.AddWithValue("scheme", _options.SegmentScheme);
        var target = string.IsNullOrWhiteSpace(_options.Currency) ? null : _options.Currency.Trim().ToUpperInvariant();
        command.Parameters.Add(Text("target", target));
        var rates = target is null ? [] : _options.ExchangeRates.Where(r => !r.Key.Equals(target, StringComparison.OrdinalIgnoreCase)).ToList();
        command.Parameters.Add(new NpgsqlParameter("fx_codes", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = rates.Select(r => r.Key).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("fx_rates", NpgsqlDbType.Array | NpgsqlDbType.Numeric) { Value = rates.Select(r => r.Value).ToArray() });
        return command;
    }

    private static List<(DateOnly, double)> ParseTrend(string? text)
    {
        var list = new List<(DateOnly, double)>();
        foreach (var part in (text ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0 && DateOnly.TryParseExact(part[..eq], "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var cutoff)
                && double.TryParse(part[(eq + 1)..], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var auc))
            {
                list.Add((cutoff, auc));
            }
        }

        return list;
    }

    private static NpgsqlParameter Text(string name, string? value) =>
        new(name, NpgsqlDbType.Text) { Value = string.IsNullOrWhiteSpace(value) ? DBNull.Value : value };

    private static string? Str(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    private static double? Dbl(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetDouble(i);

    private static DateTimeOffset? Ts(DbDataReader r, int i) =>
        r.IsDBNull(i) ? null : new DateTimeOffset(DateTime.SpecifyKind(r.GetDateTime(i), DateTimeKind.Utc));
}

/// <summary>What one report read depends on besides the warehouse.</summary>
internal readonly record struct ReadKey(
    string? Region, string? Segment, string? Channel, string TimeZone, ReportPeriod Period, DateTimeOffset AsOf, DateTimeOffset RealNow);

/// <summary>The unscoped figures of one period.</summary>
internal sealed record Health(IReadOnlyList<SourceHealthRow> Sources, IReadOnlyList<FailedJobRow> Failed, ModelHealth? Model);
