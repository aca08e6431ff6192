using System.CommandLine;
using System.Globalization;
using Crm.Pipeline.Churn;
using Crm.Pipeline.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Crm.Worker.Commands;

/// <summary>
/// <c>crm churn backtest|models|promote VERSION|rollback</c>: try a change to the churn model without the
/// service, and steer the champion by hand. Output: aligned tables, then settings as <c>name=value</c>.
/// </summary>
internal static class ChurnCommand
{
    public static Command Create()
    {
        var command = new Command("churn", "Churn model: backtest, list, promote, roll back");
        command.Add(Backtest());
        command.Add(Models());
        var version = new Argument<string>("version") { Description = "Model version (see `crm churn models`)" };
        var promote = new Command("promote", "Make a model the champion (the current one is retired)") { version };
        promote.SetAction(async (parse, ct) =>
        {
            await using var host = await CommandHost.StartAsync(parse.GetValue(CommonOptions.Config), ct).ConfigureAwait(false);
            await new ModelRegistry(host.DataSource).PromoteAsync(parse.GetValue(version)!, "promoted by admin", ct).ConfigureAwait(false);
            Console.WriteLine($"champion={parse.GetValue(version)}");
            return 0;
        });
        command.Add(promote);
        var rollback = new Command("rollback", "Reinstate the previous champion");
        rollback.SetAction(async (parse, ct) =>
        {
            await using var host = await CommandHost.StartAsync(parse.GetValue(CommonOptions.Config), ct).ConfigureAwait(false);
            var back = await new ModelRegistry(host.DataSource).RollbackAsync(ct).ConfigureAwait(false);
            Console.WriteLine($"champion={back}");
            return 0;
        });
        command.Add(rollback);
        return command;
    }

    private static Command Backtest()
    {
        var asOf = new Option<DateOnly?>("--as-of") { Description = "The 'today' of the run (default: the day after the last order)" };
        var horizon = new Option<int?>("--horizon") { Description = "Churn horizon in days (default Crm:Churn:HorizonDays, 90)" };
        var cutoff = new Option<DateOnly?>("--cutoff") { Description = "Single-cutoff evaluation with customer folds (for short data such as CDNOW: --cutoff 1997-10-01 --horizon 273)" };
        var folds = new Option<int>("--folds") { Description = "Folds of the single-cutoff evaluation", DefaultValueFactory = _ => 5 };
        var rebuild = new Option<bool>("--rebuild") { Description = "Rebuild the features of cutoffs whose inputs (orders, identities) changed since they were computed" };
        var command = new Command("backtest", "Rolling time-based backtest of every churn trainer (calibrated) beside BG/NBD and recency baselines, and the challenger they give") { asOf, horizon, cutoff, folds, rebuild };
        command.SetAction(async (parse, ct) =>
        {
            var overrides = new Dictionary<string, string?>();
            if (parse.GetValue(asOf) is { } a)
            {
                overrides["Crm:Churn:AsOf"] = a.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            }

            if (parse.GetValue(horizon) is { } h)
            {
                overrides["Crm:Churn:HorizonDays"] = h.ToString(CultureInfo.InvariantCulture);
                overrides["Crm:Features:HorizonDays"] = h.ToString(CultureInfo.InvariantCulture);
            }

            var single = parse.GetValue(cutoff);
            if (single is { } s && parse.GetValue(asOf) is null)
            {
                // The calendar only needs "today" for the rolling plan; for one cutoff, today is its label end.
                overrides["Crm:Churn:AsOf"] = s.AddDays(parse.GetValue(horizon) ?? 90).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
                overrides["Crm:Churn:ActiveWindowDays"] = "100000";
            }

            await using var host = await CommandHost.StartAsync(parse.GetValue(CommonOptions.Config), ct, overrides).ConfigureAwait(false);
            var options = host.Services.GetRequiredService<IOptionsMonitor<ChurnOptions>>().CurrentValue;
            IReadOnlyList<CutoffResult> results;
            if (single is { } one)
            {
                var backtest = new ChurnBacktest(host.DataSource, options);
                await host.Services.GetRequiredService<FeaturePreparer>().SeedIdentityIfConfiguredAsync(ct).ConfigureAwait(false);
                await host.Services.GetRequiredService<FeatureBuilder>().BuildAsync(one, ct).ConfigureAwait(false);
                results = await backtest.CrossValidateAsync(one, parse.GetValue(folds), ct).ConfigureAwait(false);
                Console.WriteLine($"single cutoff {one:yyyy-MM-dd}, {parse.GetValue(folds)} customer folds (features before the cutoff, labels from the {options.HorizonDays} days after)");
            }
            else
            {
                await host.Services.GetRequiredService<FeaturePreparer>().PrepareAsync(parse.GetValue(rebuild), new ConsoleProgress("features"), ct).ConfigureAwait(false);
                var calendar = await host.Services.GetRequiredService<ChurnTrainer>().CalendarAsync(ct).ConfigureAwait(false);
                var backtest = new ChurnBacktest(host.DataSource, options, calendar.PastSampleSlots);
                results = (await backtest.RunAsync(calendar, new ConsoleProgress("backtest"), ct).ConfigureAwait(false)).Results;
                Console.WriteLine($"as_of={calendar.AsOf:yyyy-MM-dd} latest_labelled_cutoff={calendar.LatestLabelled:yyyy-MM-dd}");
            }

            Print(results, options, single is null);
            Console.WriteLine($"horizon_days={options.HorizonDays}");
            Console.WriteLine($"cutoff_step_days={host.Services.GetRequiredService<IOptionsMonitor<FeaturesOptions>>().CurrentValue.CutoffStepDays}");
            Console.WriteLine($"backtest_cutoffs={options.BacktestCutoffs}");
            Console.WriteLine($"training_cutoffs={options.TrainingCutoffs}");
            Console.WriteLine($"seed={options.Seed}");
            Console.WriteLine($"trainers={string.Join(",", options.TrainerList())}");
            Console.WriteLine($"promotion_margin={options.PromotionMargin.ToString(CultureInfo.InvariantCulture)}");
            Console.WriteLine($"calibration={ChurnModel.CalibrationMethod}");
            Console.WriteLine($"trees={options.Trees} leaves={options.Leaves} learning_rate={options.LearningRate.ToString(CultureInfo.InvariantCulture)}");
            return results.Count == 0 ? 1 : 0;
        });
        return command;
    }

    private static void Print(IReadOnlyList<CutoffResult> results, ChurnOptions options, bool rolling)
    {
        Console.WriteLine($"{"cutoff",-10} {"model",-14} {"train",8} {"test",7} {"churn",6} {"roc_auc",7} {"pr_auc",7} {"logloss",7} {"brier",6} {"ece",6} {"ece_raw",7} {"cal",3} {"lift10",6} {"capt10",6}");
        foreach (var r in results)
        {
            var m = r.Metrics;
            var raw = r.Uncalibrated is { } u ? u.ExpectedCalibrationError.ToString("F4", CultureInfo.InvariantCulture) : "-";
            var cal = r.Calibration is { } c ? c.Applied ? "yes" : "no" : "-";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{r.Cutoff:yyyy-MM-dd} {r.Model,-14} {r.TrainRows,8} {m.Count,7} {m.ChurnRate,6:F3} {m.RocAuc,7:F4} {m.PrAuc,7:F4} {m.LogLoss,7:F4} {m.Brier,6:F4} {m.ExpectedCalibrationError,6:F4} {raw,7} {cal,3} {m.LiftTopDecile,6:F2} {m.CaptureTopDecile,6:F3}"));
        }

        var report = new BacktestReport(results, []);
        var cutoffs = results.Select(r => r.Cutoff).Distinct().Count();
        Console.WriteLine($"mean over {cutoffs} cutoff(s): {"model",-14} {"roc_auc",7} {"brier",6} {"ece",6}");
        foreach (var model in report.Models())
        {
            var rows = results.Where(r => r.Model == model).ToList();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{"",20} {model,-14} {report.MeanAuc(model),7:F4} {rows.Average(r => r.Metrics.Brier),6:F4} {rows.Average(r => r.Metrics.ExpectedCalibrationError),6:F4}"));
        }

        // The same choice the nightly train stage makes from these figures.
        var choice = PromotionPolicy.PickChallenger(report, options.TrainerList(), options.PromotionMargin);
        Console.WriteLine($"challenger={choice.Name}");
        Console.WriteLine($"challenger_reason={choice.Reason}");
        if (!rolling)
        {
            Console.WriteLine("(single cutoff: the nightly stage picks from the rolling backtest, not from this)");
        }

        // The best trained model's reliability table (BG/NBD's probabilities are not recalibrated).
        var shown = options.TrainerList().Where(t => report.Models().Contains(t)).OrderByDescending(report.MeanAuc).FirstOrDefault();
        var latest = shown is null ? null : report.Latest(shown);
        if (latest is not null)
        {
            Console.WriteLine($"reliability ({latest.Model}, {latest.Cutoff:yyyy-MM-dd}): mean predicted → observed (n), before calibration | after");
            var before = latest.Uncalibrated?.Calibration ?? [];
            var after = latest.Metrics.Calibration;
            for (var bin = 0; bin < 10; bin++)
            {
                var b = before.FirstOrDefault(x => Bin(x.MeanPredicted) == bin);
                var a = after.FirstOrDefault(x => Bin(x.MeanPredicted) == bin);
                if (a is null && b is null)
                {
                    continue;
                }

                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  [{bin / 10.0:F1},{(bin + 1) / 10.0:F1}) {Cell(b),-24} | {Cell(a)}"));
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  ece {latest.Uncalibrated?.ExpectedCalibrationError ?? double.NaN:F4} → {latest.Metrics.ExpectedCalibrationError:F4}, brier {latest.Uncalibrated?.Brier ?? double.NaN:F4} → {latest.Metrics.Brier:F4}"));
        }
    }

    private static int Bin(double p) => Math.Min(9, (int)Math.Floor(Math.Clamp(p, 0, 1) * 10));

    private static string Cell(CalibrationBin? b) =>
        b is null ? "" : string.Create(CultureInfo.InvariantCulture, $"{b.MeanPredicted:F3} → {b.ObservedRate:F3} ({b.Count})");

    private static Command Models()
    {
        var command = new Command("models", "List churn models with status and reason");
        command.SetAction(async (parse, ct) =>
        {
            await using var host = await CommandHost.StartAsync(parse.GetValue(CommonOptions.Config), ct).ConfigureAwait(false);
            foreach (var m in await new ModelRegistry(host.DataSource).ListAsync(ct).ConfigureAwait(false))
            {
                // auc is the figure promotion compares: the mean over the backtest cutoffs (older records: the latest cutoff's).
                var sha = m.IsBaseline ? "none (BG/NBD baseline, no artifact)" : m.ArtifactSha256?[..12];
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{m.Version,-40} {m.Status,-10} {m.Trainer,-9} auc={m.Auc ?? m.LatestAuc:F4} trained={m.TrainingFrom:yyyy-MM-dd}..{m.TrainingTo:yyyy-MM-dd} sha256={sha} {m.StatusReason}"));
            }

            return 0;
        });
        return command;
    }
}
