using Crm.Pipeline.Jobs;
using Crm.Pipeline.Warehouse;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace Crm.Pipeline.Retention;

/// <summary>
/// The <c>retention</c> stage, last in the nightly chain: drops staging rows, quarantine rows, pipeline runs,
/// archived report bodies (and their outbox files), old model artifacts and feature cutoffs no night uses any
/// more past their windows (<see cref="RetentionOptions"/>), in one transaction. Hangfire expires its own jobs (HangfireJobDays).
/// </summary>
public sealed partial class RetentionStage : IPipelineStage
{
    private static readonly string Sql = SqlResource.Load("retention.sql");

    private readonly NpgsqlDataSource _dataSource;
    private readonly IOptionsMonitor<RetentionOptions> _options;
    private readonly IOptionsMonitor<Features.FeaturesOptions> _features;
    private readonly IOptionsMonitor<Features.AsOfOptions> _asOf;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <summary>Creates the stage.</summary>
    public RetentionStage(
        NpgsqlDataSource dataSource, IOptionsMonitor<RetentionOptions> options, IOptionsMonitor<Features.FeaturesOptions> features, IOptionsMonitor<Features.AsOfOptions> asOf, TimeProvider time,
        ILogger<RetentionStage> logger)
    {
        _dataSource = dataSource;
        _options = options;
        _features = features;
        _asOf = asOf;
        _time = time;
        _logger = logger;
    }

    /// <inheritdoc />
    public string Name => "retention";

    /// <inheritdoc />
    public async Task<StageResult> RunAsync(StageContext context, CancellationToken cancellationToken)
    {
        var counts = await ApplyAsync(cancellationToken).ConfigureAwait(false);
        var total = counts.Values.Sum();
        var summary = total == 0 ? "nothing past its retention window" : string.Join(", ", counts.Where(c => c.Value > 0).Select(c => $"{c.Value} {c.Key}"));
        return new StageResult(total, total, summary);
    }

    /// <summary>Applies every window now; returns what was dropped, per kind.</summary>
    public async Task<IReadOnlyDictionary<string, long>> ApplyAsync(CancellationToken cancellationToken)
    {
        var o = _options.CurrentValue;
        var counts = new SortedDictionary<string, long>(StringComparer.Ordinal);
        var files = new List<string>();
        var asOf = await Features.AsOfDay.ResolveAsync(_dataSource, _asOf.CurrentValue.AsOf, cancellationToken).ConfigureAwait(false);
        var needed = _features.CurrentValue.Layout().All(asOf).ToArray();
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var command = new NpgsqlCommand(Sql, connection, transaction) { CommandTimeout = 0 })
        {
            command.Parameters.AddWithValue("now", _time.GetUtcNow());
            Window(command, "staging_days", o.StagingDays);
            Window(command, "quarantine_days", o.QuarantineDays);
            Window(command, "report_days", o.ReportArchiveDays);
            Window(command, "run_days", o.PipelineRunDays);
            Window(command, "score_days", o.ScoreHistoryDays);
            Window(command, "models_kept", o.ModelArtifactsKept);
            Window(command, "feature_days", o.FeatureCutoffDays);
            command.Parameters.Add(new NpgsqlParameter("needed_cutoffs", NpgsqlDbType.Array | NpgsqlDbType.Date) { Value = needed });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            do
            {
                if (reader.FieldCount == 2 && reader.GetName(0) == "what")
                {
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        counts[reader.GetString(0)] = reader.GetInt64(1);
                    }
                }
            }
            while (await reader.NextResultAsync(cancellationToken).ConfigureAwait(false));
        }

        await using (var list = new NpgsqlCommand("select html_path, eml_path from retention_report_files", connection, transaction))
        await using (var reader = await list.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                for (var i = 0; i < 2; i++)
                {
                    if (!reader.IsDBNull(i))
                    {
                        files.Add(reader.GetString(i));
                    }
                }
            }
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        foreach (var file in files)
        {
            try
            {
                File.Delete(file);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The archive row no longer points at it; say which file is left behind.
                Log.FileNotDeleted(_logger, file, e.Message);
            }
        }

        Log.Applied(_logger, counts.GetValueOrDefault("staging rows"), counts.GetValueOrDefault("quarantine rows"),
            counts.GetValueOrDefault("archived reports"), counts.GetValueOrDefault("pipeline runs"), counts.GetValueOrDefault("model artifacts"));
        return counts;
    }

    private static void Window(NpgsqlCommand command, string name, int days) =>
        command.Parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Integer) { Value = days > 0 ? days : DBNull.Value });

    private static partial class Log
    {
        [LoggerMessage(EventId = 6101, Level = LogLevel.Information, Message = "Retention: dropped {Staging} staging row(s), {Quarantine} quarantine row(s), {Reports} archived report(s), {Runs} pipeline run(s), {Models} model artifact(s)")]
        public static partial void Applied(ILogger logger, long staging, long quarantine, long reports, long runs, long models);

        [LoggerMessage(EventId = 6102, Level = LogLevel.Warning, Message = "Retention: could not delete the archived report file {File}: {Reason}")]
        public static partial void FileNotDeleted(ILogger logger, string file, string reason);
    }
}
