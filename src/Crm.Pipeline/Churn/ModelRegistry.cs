using System.Text.Json;
using System.Text.Json.Nodes;
using Npgsql;
using NpgsqlTypes;

namespace Crm.Pipeline.Churn;

/// <summary>
/// The churn models in <c>ml.model</c>: at most one champion; challengers are promoted or rejected with
/// a reason; admins can promote any version or roll back to the previous champion.
/// </summary>
public sealed class ModelRegistry
{
    /// <summary>The model kind of churn models in <c>ml.model</c>.</summary>
    public const string Kind = "churn";

    internal static readonly JsonSerializerOptions Json = new()
    {
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    private const string Columns =
        "model_id, version, trainer, features, training_from, training_to, artifact, artifact_sha256, status, status_reason, hyperparameters, metrics, promoted_at";

    private readonly NpgsqlDataSource _dataSource;

    /// <summary>Creates the registry on the warehouse.</summary>
    public ModelRegistry(NpgsqlDataSource dataSource) => _dataSource = dataSource;

    /// <summary>
    /// Records a trained model; if the same version is already recorded (same cutoff and artifact), returns the existing
    /// record. <paramref name="latestAuc"/> is the AUC at the latest backtest cutoff, <paramref name="auc"/> (when given)
    /// the mean over the cutoffs that promotion compares; the model's calibration goes into the hyperparameters.
    /// </summary>
    public async Task<ModelRecord> AddAsync(
        ChurnModel model, Dictionary<string, object> hyperparameters, DateOnly trainingFrom, DateOnly trainingTo,
        object metrics, double latestAuc, string status, string? reason, CancellationToken cancellationToken, double? auc = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(hyperparameters);
        var version = $"churn-{trainingTo:yyyyMMdd}-{model.Trainer}-{model.Sha256[..12]}";
        var existing = await FindAsync(version, cancellationToken).ConfigureAwait(false);
        if (existing is not null)
        {
            return existing;
        }

        hyperparameters["odds_correction"] = model.OddsCorrection;
        hyperparameters["platt_a"] = model.Calibration.A;
        hyperparameters["platt_b"] = model.Calibration.B;
        var metricsNode = JsonSerializer.SerializeToNode(metrics, Json) as JsonObject ?? [];
        metricsNode["latest_auc"] = latestAuc;
        if (auc is { } mean)
        {
            metricsNode["auc"] = mean;
        }

        await using var command = _dataSource.CreateCommand(
            """
            insert into ml.model (kind, version, trainer, hyperparameters, features, training_from, training_to, metrics,
                                  artifact, artifact_sha256, status, status_reason, promoted_at)
            values (@kind, @version, @trainer, @hyper, @features, @from, @to, @metrics, @artifact, @sha, @status, @reason,
                    case when @status = 'champion' then now() end)
            """);
        command.Parameters.AddWithValue("kind", Kind);
        command.Parameters.AddWithValue("version", version);
        command.Parameters.AddWithValue("trainer", model.Trainer);
        command.Parameters.Add(new NpgsqlParameter("hyper", NpgsqlDbType.Jsonb) { Value = JsonSerializer.Serialize(hyperparameters, Json) });
        command.Parameters.Add(new NpgsqlParameter("features", NpgsqlDbType.Jsonb) { Value = JsonSerializer.Serialize(model.FeatureNames, Json) });
        command.Parameters.AddWithValue("from", trainingFrom);
        command.Parameters.AddWithValue("to", trainingTo);
        command.Parameters.Add(new NpgsqlParameter("metrics", NpgsqlDbType.Jsonb) { Value = metricsNode.ToJsonString(Json) });
        command.Parameters.AddWithValue("artifact", model.Artifact);
        command.Parameters.AddWithValue("sha", model.Sha256);
        command.Parameters.AddWithValue("status", status);
        command.Parameters.Add(new NpgsqlParameter("reason", NpgsqlDbType.Text) { Value = (object?)reason ?? DBNull.Value });
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return (await FindAsync(version, cancellationToken).ConfigureAwait(false))!;
    }

    /// <summary>
    /// Records the BG/NBD baseline as a model (trainer <c>bgnbd</c>, no artifact: scoring reads each customer's
    /// P(no purchase) from the features); if that version is already recorded, returns the existing record.
    /// <paramref name="auc"/> is BG/NBD's mean AUC over the backtest cutoffs, <paramref name="latestAuc"/> its AUC at the latest one.
    /// </summary>
    public async Task<ModelRecord> AddBaselineAsync(
        DateOnly trainingFrom, DateOnly trainingTo, Dictionary<string, object> hyperparameters, object metrics, double auc, double latestAuc,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(hyperparameters);
        var version = $"churn-{trainingTo:yyyyMMdd}-{ChurnBacktest.BgNbd}";
        var existing = await FindAsync(version, cancellationToken).ConfigureAwait(false);
        if (existing is not null)
        {
            return existing;
        }

        var metricsNode = JsonSerializer.SerializeToNode(metrics, Json) as JsonObject ?? [];
        metricsNode["auc"] = auc;
        metricsNode["latest_auc"] = latestAuc;
        await using var command = _dataSource.CreateCommand(
            """
            insert into ml.model (kind, version, trainer, hyperparameters, features, training_from, training_to, metrics, status)
            values (@kind, @version, @trainer, @hyper, @features, @from, @to, @metrics, 'challenger')
            """);
        command.Parameters.AddWithValue("kind", Kind);
        command.Parameters.AddWithValue("version", version);
        command.Parameters.AddWithValue("trainer", ChurnBacktest.BgNbd);
        command.Parameters.Add(new NpgsqlParameter("hyper", NpgsqlDbType.Jsonb) { Value = JsonSerializer.Serialize(hyperparameters, Json) });
        command.Parameters.Add(new NpgsqlParameter("features", NpgsqlDbType.Jsonb) { Value = JsonSerializer.Serialize(new[] { Features.FeatureColumns.ProbabilityNoPurchase }, Json) });
        command.Parameters.AddWithValue("from", trainingFrom);
        command.Parameters.AddWithValue("to", trainingTo);
        command.Parameters.Add(new NpgsqlParameter("metrics", NpgsqlDbType.Jsonb) { Value = metricsNode.ToJsonString(Json) });
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return (await FindAsync(version, cancellationToken).ConfigureAwait(false))!;
    }

    /// <summary>The model with this version, or null.</summary>
    public async Task<ModelRecord?> FindAsync(string version, CancellationToken cancellationToken) =>
        (await QueryAsync("where version = @v", version, cancellationToken).ConfigureAwait(false)).FirstOrDefault();

    /// <summary>The current champion, or null.</summary>
    public async Task<ModelRecord?> ChampionAsync(CancellationToken cancellationToken) =>
        (await QueryAsync("where kind = 'churn' and status = 'champion' order by promoted_at desc nulls last, model_id desc", null, cancellationToken).ConfigureAwait(false)).FirstOrDefault();

    /// <summary>The current champion followed by earlier champions, most recently promoted first: the fallbacks of scoring.</summary>
    public Task<IReadOnlyList<ModelRecord>> ChampionHistoryAsync(CancellationToken cancellationToken) =>
        QueryAsync("where kind = 'churn' and promoted_at is not null order by (status = 'champion') desc, promoted_at desc, model_id desc", null, cancellationToken);

    /// <summary>Every churn model, newest first.</summary>
    public Task<IReadOnlyList<ModelRecord>> ListAsync(CancellationToken cancellationToken) =>
        QueryAsync("where kind = 'churn' order by model_id desc", null, cancellationToken);

    /// <summary>Makes <paramref name="version"/> the champion and retires the current one, in one transaction.</summary>
    /// <exception cref="ModelRegistryException">No such model.</exception>
    public async Task PromoteAsync(string version, string reason, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var retire = new NpgsqlCommand(
            "update ml.model set status = 'retired', status_reason = 'replaced by ' || @v where kind = 'churn' and status = 'champion' and version <> @v", connection))
        {
            retire.Parameters.AddWithValue("v", version);
            await retire.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using (var promote = new NpgsqlCommand(
            "update ml.model set status = 'champion', status_reason = @r, promoted_at = now() where kind = 'churn' and version = @v", connection))
        {
            promote.Parameters.AddWithValue("v", version);
            promote.Parameters.AddWithValue("r", reason);
            if (await promote.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) != 1)
            {
                throw new ModelRegistryException($"No churn model with version '{version}' (see `crm churn models`).");
            }
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Retires the current champion and reinstates the previously promoted model; returns its version.</summary>
    /// <exception cref="ModelRegistryException">No earlier champion to roll back to.</exception>
    public async Task<string> RollbackAsync(CancellationToken cancellationToken)
    {
        var history = await ChampionHistoryAsync(cancellationToken).ConfigureAwait(false);
        var current = history.FirstOrDefault(m => m.Status == "champion");
        var previous = history.FirstOrDefault(m => m.Status != "champion" && m.Version != current?.Version)
            ?? throw new ModelRegistryException("There is no earlier champion to roll back to.");
        await PromoteAsync(previous.Version, "rolled back by admin" + (current is null ? "" : " from " + current.Version), cancellationToken).ConfigureAwait(false);
        if (current is not null)
        {
            await using var command = _dataSource.CreateCommand("update ml.model set status = 'rejected', status_reason = 'rolled back by admin' where version = @v");
            command.Parameters.AddWithValue("v", current.Version);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        return previous.Version;
    }

    /// <summary>Sets a model's status and reason.</summary>
    public async Task SetStatusAsync(string version, string status, string reason, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand("update ml.model set status = @s, status_reason = @r where version = @v");
        command.Parameters.AddWithValue("v", version);
        command.Parameters.AddWithValue("s", status);
        command.Parameters.AddWithValue("r", reason);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<IReadOnlyList<ModelRecord>> QueryAsync(string where, string? version, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand($"select {Columns} from ml.model {where}");
        if (version is not null)
        {
            command.Parameters.AddWithValue("v", version);
        }

        var list = new List<ModelRecord>();
        await using var r = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var hyper = r.IsDBNull(10) ? null : JsonNode.Parse(r.GetString(10));
            var metrics = r.IsDBNull(11) ? null : JsonNode.Parse(r.GetString(11));
            list.Add(new ModelRecord(
                r.GetInt64(0), r.GetString(1), r.GetString(2),
                r.IsDBNull(3) ? [] : JsonSerializer.Deserialize<List<string>>(r.GetString(3)) ?? [],
                r.IsDBNull(4) ? null : r.GetFieldValue<DateOnly>(4),
                r.IsDBNull(5) ? null : r.GetFieldValue<DateOnly>(5),
                r.IsDBNull(6) ? null : r.GetFieldValue<byte[]>(6),
                r.IsDBNull(7) ? null : r.GetString(7),
                r.GetString(8), r.IsDBNull(9) ? null : r.GetString(9),
                Number(hyper?["odds_correction"]) ?? 1,
                hyper?["seed"]?.GetValue<int>() ?? 0,
                Number(metrics?["latest_auc"]),
                r.IsDBNull(12) ? null : r.GetDateTime(12),
                Number(metrics?["auc"]),
                Number(hyper?["platt_a"]) is { } a && Number(hyper?["platt_b"]) is { } b ? new PlattCalibration(a, b) : null,
                hyper as JsonObject));
        }

        return list;
    }

    /// <summary>A stored number; NaN and ±Infinity are written as strings (named literals), so read those too.</summary>
    private static double? Number(JsonNode? node) => node switch
    {
        null => null,
        JsonValue v when v.TryGetValue<double>(out var d) => d,
        JsonValue v when v.TryGetValue<string>(out var s) && double.TryParse(s, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var parsed) => parsed,
        _ => null,
    };
}
