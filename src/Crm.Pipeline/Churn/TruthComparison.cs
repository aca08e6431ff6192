using System.Globalization;
using Crm.Pipeline.Features;
using Npgsql;

namespace Crm.Pipeline.Churn;

/// <summary>One feature set's model at the test cutoff.</summary>
/// <param name="Name">rfm | rfm+web | rfm+email | all | all, shuffled labels | baseline names.</param>
/// <param name="Features">Number of features the model reads (0 for baselines).</param>
/// <param name="Observed">Metrics against the observed label (no purchase in the horizon).</param>
/// <param name="TrueDropoutAuc">ROC-AUC against the truth: the person had dropped out before the cutoff.</param>
internal sealed record TruthModelResult(string Name, int Features, ChurnMetrics Observed, double TrueDropoutAuc);

/// <summary>The comparison at one cutoff.</summary>
/// <param name="Cutoff">Test cutoff.</param>
/// <param name="TrainRows">Labelled rows of the fold's training cutoffs.</param>
/// <param name="TestRows">Active customers at the cutoff mapped to a true person.</param>
/// <param name="TrueDropoutShare">Share of them whose person had truly dropped out before the cutoff.</param>
/// <param name="Results">One row per model and baseline.</param>
internal sealed record TruthReport(DateOnly Cutoff, int TrainRows, int TestRows, double TrueDropoutShare, IReadOnlyList<TruthModelResult> Results)
{
    /// <summary>Each present feature's own ROC-AUC against the true dropout (a missing value ranks lowest), strongest first.</summary>
    public IReadOnlyList<KeyValuePair<string, double>> FeatureTruthAuc { get; init; } = [];

    public TruthModelResult this[string name] => Results.Single(r => r.Name == name);

    /// <summary>
    /// The candidate the nightly run would make champion at this cutoff: of the trained models on all features and
    /// BG/NBD, the best AUC against the observed label (ties to the earlier in <see cref="ChurnModel.Trainers"/> order).
    /// </summary>
    public TruthModelResult Champion() =>
        new[] { "all" }.Concat(ChurnModel.Trainers.Where(t => t != ChurnModel.FastTree).Select(t => "all, " + t)).Append("baseline " + ChurnBacktest.BgNbd)
            .Select(n => Results.SingleOrDefault(r => r.Name == n)).OfType<TruthModelResult>()
            .Aggregate((best, r) => r.Observed.RocAuc > best.Observed.RocAuc ? r : best);

    public IEnumerable<string> Lines() => Results.Select(r => string.Create(CultureInfo.InvariantCulture,
        $"{Cutoff:yyyy-MM-dd} {r.Name,-22} features={r.Features,2} auc={r.Observed.RocAuc:F4} pr_auc={r.Observed.PrAuc:F4} lift10={r.Observed.LiftTopDecile:F2} auc_true_dropout={r.TrueDropoutAuc:F4}"));
}

/// <summary>
/// Churn models against a synthetic company's ground truth (#8): at one backtest cutoff, the same
/// trainer (FastTree, same options) on the same training and test customers with the order (RFM) features
/// only, with web or email features added, with all features, and with all features but shuffled labels;
/// each scored against the observed label and against each person's true dropout
/// (<c>truth/persons.csv</c>: dropped out before the cutoff). Golden customers map to true persons
/// through their order-feed identities and <c>truth/records.csv</c>.
/// </summary>
internal static class TruthComparison
{
    /// <summary>Order features and what is derived from them alone (the BG/NBD columns).</summary>
    public static readonly IReadOnlyList<string> Rfm = [.. FeatureColumns.Orders, FeatureColumns.ProbabilityAlive, FeatureColumns.ProbabilityNoPurchase];

    public static async Task<TruthReport> RunAsync(
        NpgsqlDataSource dataSource, string generatedFolder, ChurnOptions options, int stepDays, DateOnly testCutoff, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var dropout = ReadDropouts(Path.Combine(generatedFolder, "truth", "persons.csv"));
        var personOf = await PersonOfCustomerAsync(dataSource, Path.Combine(generatedFolder, "truth", "records.csv"), cancellationToken).ConfigureAwait(false);
        var calendar = ChurnCalendar.For(testCutoff.AddDays(options.HorizonDays), options, stepDays);
        var backtest = new ChurnBacktest(dataSource, options);
        var train = await backtest.LabelledAsync(calendar.FoldTrainingCutoffs(testCutoff, options), cancellationToken).ConfigureAwait(false);
        var all = await backtest.LabelledAsync([testCutoff], cancellationToken).ConfigureAwait(false);
        var test = all.Where(i => personOf.ContainsKey(all.CustomerIds[i]));
        var cutoffTime = testCutoff.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        var truth = test.CustomerIds.Select(id => dropout.TryGetValue(personOf[id], out var d) && d is { } at && at < cutoffTime).ToArray();

        var present = ChurnBacktest.Present(train);
        var sets = new List<(string Name, IReadOnlyList<string> Features, bool Shuffle)>
        {
            ("rfm", present.Intersect(Rfm).ToList(), false),
            ("rfm+web", present.Intersect(Rfm.Concat(FeatureColumns.Web)).ToList(), false),
            ("rfm+email", present.Intersect(Rfm.Concat(FeatureColumns.Email)).ToList(), false),
            ("all", present, false),
            ("all, shuffled labels", present, true),
        };
        var results = new List<TruthModelResult>();
        foreach (var (name, features, shuffle) in sets)
        {
            var data = shuffle ? Shuffled(train, options.Seed) : train;
            var p = ChurnModel.TrainCalibrated(data, ChurnModel.FastTree, features, options).Predict(test);
            results.Add(new TruthModelResult(name, features.Count, ChurnMetrics.Compute(test.Labels, p), AucOrNaN(truth, p, true)));
        }

        // The other trainers that compete for the champion's place, on all features.
        foreach (var kind in ChurnModel.Trainers.Where(t => t != ChurnModel.FastTree))
        {
            var p = ChurnModel.TrainCalibrated(train, kind, present, options).Predict(test);
            results.Add(new TruthModelResult("all, " + kind, present.Count, ChurnMetrics.Compute(test.Labels, p), AucOrNaN(truth, p, true)));
        }

        foreach (var b in ChurnBacktest.Baselines(testCutoff, test))
        {
            var scores = BaselineScores(b.Model, test);
            results.Add(new TruthModelResult("baseline " + b.Model, 0, b.Metrics, AucOrNaN(truth, scores, b.Model != "recency")));
        }

        var observed = ChurnMetrics.Compute(truth, test.Labels.Select(l => l ? 1.0 : 0.0).ToArray(), probabilities: false);
        results.Add(new TruthModelResult("observed label itself", 0, observed, observed.RocAuc));
        var single = present.Select(f => KeyValuePair.Create(f, AucOrNaN(truth, test.Features.Select(x => float.IsNaN(x[IndexOf(f)]) ? double.MinValue : (double)x[IndexOf(f)]).ToArray(), false)))
            .OrderByDescending(kv => Math.Abs(kv.Value - 0.5)).ToList();
        return new TruthReport(testCutoff, train.Count, test.Count, truth.Length == 0 ? 0 : truth.Count(t => t) / (double)truth.Length, results) { FeatureTruthAuc = single };
    }

    private static double[] BaselineScores(string model, ChurnData test)
    {
        var index = model switch
        {
            "bgnbd" => IndexOf(FeatureColumns.ProbabilityNoPurchase),
            "bgnbd_p_alive" => IndexOf(FeatureColumns.ProbabilityAlive),
            _ => IndexOf("recency_days"),
        };
        return test.Features.Select(f => float.IsNaN(f[index]) ? 0.5 : model == "bgnbd_p_alive" ? 1 - (double)f[index] : f[index]).ToArray();
    }

    private static double AucOrNaN(bool[] labels, double[] scores, bool probabilities) =>
        labels.Distinct().Count() < 2 ? double.NaN : ChurnMetrics.Compute(labels, scores, probabilities).RocAuc;

    private static ChurnData Shuffled(ChurnData data, int seed)
    {
        var labels = (bool[])data.Labels.Clone();
        new Random(seed).Shuffle(labels);
        return new ChurnData { CustomerIds = data.CustomerIds, Cutoffs = data.Cutoffs, Features = data.Features, Labels = labels };
    }

    private static Dictionary<string, DateTime?> ReadDropouts(string personsCsv)
    {
        var result = new Dictionary<string, DateTime?>(StringComparer.Ordinal);
        using var csv = Sylvan.Data.Csv.CsvDataReader.Create(personsCsv);
        var id = csv.GetOrdinal("person_id");
        var drop = csv.GetOrdinal("dropout_date");
        while (csv.Read())
        {
            var d = csv.GetString(drop);
            result[csv.GetString(id)] = d.Length == 0 ? null : DateTime.Parse(d, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
        }

        return result;
    }

    /// <summary>Golden customer → true person, through the order-feed identities (the person of most of its records).</summary>
    private static async Task<Dictionary<long, string>> PersonOfCustomerAsync(NpgsqlDataSource dataSource, string recordsCsv, CancellationToken cancellationToken)
    {
        var person = new Dictionary<(string, string), string>();
        using (var csv = Sylvan.Data.Csv.CsvDataReader.Create(recordsCsv))
        {
            while (csv.Read())
            {
                if (csv.GetString(0).StartsWith("orders:", StringComparison.Ordinal))
                {
                    person[(csv.GetString(0), csv.GetString(1))] = csv.GetString(2);
                }
            }
        }

        var votes = new Dictionary<long, Dictionary<string, int>>();
        await using var command = dataSource.CreateCommand("select customer_id, source, source_customer_id from core.customer_identity where source like 'orders:%'");
        await using var rows = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await rows.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (person.TryGetValue((rows.GetString(1), rows.GetString(2)), out var p))
            {
                var customer = rows.GetInt64(0);
                if (!votes.TryGetValue(customer, out var v))
                {
                    votes[customer] = v = new Dictionary<string, int>(StringComparer.Ordinal);
                }

                v[p] = v.GetValueOrDefault(p) + 1;
            }
        }

        return votes.ToDictionary(kv => kv.Key, kv => kv.Value.OrderByDescending(x => x.Value).ThenBy(x => x.Key, StringComparer.Ordinal).First().Key);
    }

    private static int IndexOf(string name)
    {
        for (var i = 0; i < FeatureColumns.All.Count; i++)
        {
            if (FeatureColumns.All[i] == name)
            {
                return i;
            }
        }

        return -1;
    }
}
