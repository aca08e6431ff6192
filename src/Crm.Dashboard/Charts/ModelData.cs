using System.Globalization;
using System.Text;
using System.Text.Json;
using Crm.Pipeline.Display;
using Npgsql;

namespace Crm.Dashboard.Charts;

/// <summary>
/// The numbers behind the Models page, read from each churn model's record (<c>ml.model.metrics</c>, written by the
/// churn trainer): per training, every competing trainer's mean backtest AUC and the champion's AUC on the same
/// cutoffs; per model, its backtest per cutoff (AUC, ECE, Brier) and its feature importance.
/// </summary>
internal static class ModelData
{
    /// <summary>Trainings shown in the AUC chart.</summary>
    public const int Trainings = 60;

    /// <summary>The series name of the champion's AUC.</summary>
    public const string Champion = "champion";

    private const string TrainingsSql =
        """
        select version, trainer, created_at, metrics
        from ml.model where kind = 'churn'
        order by created_at desc, version desc limit @trainings
        """;

    private const string DetailsSql =
        """
        select version, trainer, metrics from ml.model where kind = 'churn'
        order by created_at desc, version desc limit @models
        """;

    /// <summary>One training: when, the record it made, and the AUC of each competitor and of the champion it faced.</summary>
    public sealed record Training(DateTime CreatedAt, string Version, IReadOnlyDictionary<string, double> Auc);

    /// <summary>One backtest cutoff of a model's own trainer.</summary>
    public sealed record Cutoff(string Date, double Auc, double Ece, double Brier, int Count);

    /// <summary>A model's backtest rows and feature importance (largest first).</summary>
    public sealed record Detail(string Version, string Trainer, IReadOnlyList<Cutoff> Backtest, IReadOnlyList<(string Feature, double Importance)> Importance);

    /// <summary>The last <see cref="Trainings"/> trainings, oldest first.</summary>
    public static List<Training> TrainingAucs(NpgsqlDataSource warehouse)
    {
        var rows = new List<Training>();
        using var command = warehouse.CreateCommand(TrainingsSql);
        command.Parameters.AddWithValue("trainings", Trainings);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var trainer = reader.GetString(1);
            var auc = new SortedDictionary<string, double>(StringComparer.Ordinal);
            if (!reader.IsDBNull(3))
            {
                using var metrics = JsonDocument.Parse(reader.GetString(3));
                var root = metrics.RootElement;
                if (root.TryGetProperty("backtest_mean_auc", out var means) && means.ValueKind == JsonValueKind.Object)
                {
                    foreach (var mean in means.EnumerateObject())
                    {
                        Add(auc, mean.Name, Number(mean.Value));
                    }
                }
                else if (root.TryGetProperty("auc", out var own))
                {
                    Add(auc, trainer, Number(own));
                }

                if (root.TryGetProperty("champion_auc", out var champion))
                {
                    Add(auc, Champion, Number(champion));
                }
            }

            rows.Add(new Training(reader.GetDateTime(2), reader.GetString(0), auc));
        }

        rows.Reverse();
        return rows;
    }

    /// <summary>The AUCs as CSV: <c>trained_at,version,model,auc</c>, the champion as model <c>champion</c>.</summary>
    public static string AucCsv(NpgsqlDataSource warehouse, TimeZoneInfo zone)
    {
        var csv = new StringBuilder("trained_at,version,model,auc\n");
        foreach (var training in TrainingAucs(warehouse))
        {
            foreach (var (model, auc) in training.Auc)
            {
                csv.Append(CultureInfo.InvariantCulture, $"{DisplayTime.Format(training.CreatedAt, zone)},{Field(training.Version)},{Field(model)},{auc:0.####}\n");
            }
        }

        return csv.ToString();
    }

    /// <summary>The newest <paramref name="models"/> models' backtests and feature importance.</summary>
    public static List<Detail> Details(NpgsqlDataSource warehouse, int models)
    {
        var rows = new List<Detail>();
        using var command = warehouse.CreateCommand(DetailsSql);
        command.Parameters.AddWithValue("models", models);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var trainer = reader.GetString(1);
            var backtest = new List<Cutoff>();
            var importance = new List<(string, double)>();
            if (!reader.IsDBNull(2))
            {
                using var metrics = JsonDocument.Parse(reader.GetString(2));
                var root = metrics.RootElement;
                if (root.TryGetProperty("backtest", out var results) && results.ValueKind == JsonValueKind.Array)
                {
                    foreach (var result in results.EnumerateArray())
                    {
                        if (result.TryGetProperty("model", out var model) && model.GetString() == trainer
                            && result.TryGetProperty("metrics", out var m))
                        {
                            backtest.Add(new Cutoff(
                                result.TryGetProperty("cutoff", out var cutoff) ? cutoff.GetString() ?? "" : "",
                                Property(m, "roc_auc"), Property(m, "expected_calibration_error"), Property(m, "brier"),
                                m.TryGetProperty("count", out var count) && count.ValueKind == JsonValueKind.Number ? count.GetInt32() : 0));
                        }
                    }
                }

                if (root.TryGetProperty("feature_importance", out var features) && features.ValueKind == JsonValueKind.Object)
                {
                    importance.AddRange(features.EnumerateObject().Select(f => (f.Name, Number(f.Value))).Where(f => !double.IsNaN(f.Item2)));
                }
            }

            rows.Add(new Detail(
                reader.GetString(0), trainer, [.. backtest.OrderBy(c => c.Date, StringComparer.Ordinal)],
                [.. importance.OrderByDescending(f => Math.Abs(f.Item2)).ThenBy(f => f.Item1, StringComparer.Ordinal)]));
        }

        return rows;
    }

    private static void Add(SortedDictionary<string, double> auc, string model, double value)
    {
        if (double.IsFinite(value))
        {
            auc[model] = value;
        }
    }

    private static double Property(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) ? Number(value) : double.NaN;

    // The registry writes NaN and infinities as strings ("NaN"), the other numbers as numbers.
    private static double Number(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number => value.GetDouble(),
        JsonValueKind.String when double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
        _ => double.NaN,
    };

    private static string Field(string value) =>
        value.AsSpan().IndexOfAny(",\"\n\r") < 0 ? value : "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
