using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Crm.Pipeline.Churn;
using Crm.Pipeline.Clv;
using Crm.Pipeline.Sources.Orders;
using Crm.Pipeline.Warehouse;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Crm.Pipeline.Features;

namespace Crm.Worker.Commands;

/// <summary>
/// <c>crm clv fit [PATH… --feed NAME] [--cutoff DATE] [--pareto]</c>: fits BG/NBD, Gamma-Gamma (and
/// Pareto/NBD) on the warehouse, or on order files loaded through a feed mapping into a scratch
/// database that is dropped afterwards, and prints the parameters as <c>name=value</c>.
/// </summary>
internal static class ClvCommand
{
    public static Command Create()
    {
        var paths = new Argument<string[]>("paths") { Description = "Order files to fit on instead of the warehouse", Arity = ArgumentArity.ZeroOrMore };
        var feedOption = new Option<string?>("--feed") { Description = "Feed mapping (Crm:Orders:Feeds) of the files" };
        var cutoffOption = new Option<DateOnly?>("--cutoff") { Description = "End of the calibration period (exclusive; default: the day after the last order). CDNOW: 1997-10-01" };
        var pareto = new Option<bool>("--pareto") { Description = "Also fit Pareto/NBD" };
        var fit = new Command("fit", "Fit the CLV models and print their parameters") { paths, feedOption, cutoffOption, pareto };
        fit.SetAction(async (parse, ct) =>
        {
            await using var host = await CommandHost.StartAsync(parse.GetValue(CommonOptions.Config), ct).ConfigureAwait(false);
            var files = IngestOrdersCommand.Expand(parse.GetValue(paths) ?? []);
            var clv = host.Services.GetRequiredService<IOptionsMonitor<ClvOptions>>().CurrentValue;
            if (files.Count == 0)
            {
                return await FitAsync(host.DataSource, parse.GetValue(cutoffOption), clv, parse.GetValue(pareto), ct).ConfigureAwait(false);
            }

            var feedName = parse.GetValue(feedOption);
            var feeds = host.Services.GetRequiredService<IOptions<OrdersOptions>>().Value.Feeds;
            var feed = feedName is null && feeds.Count == 1 ? feeds[0] : feeds.FirstOrDefault(f => string.Equals(f.Name, feedName, StringComparison.OrdinalIgnoreCase));
            if (feed is null)
            {
                await Console.Error.WriteLineAsync($"pass --feed NAME (configured: {string.Join(", ", feeds.Select(f => f.Name))})").ConfigureAwait(false);
                return 2;
            }

            // A scratch database on the same server: the files never touch the warehouse.
            var scratch = "crm_clv_scratch_" + Guid.NewGuid().ToString("N")[..8];
            await ExecuteAsync(host.DataSource, $"create database {scratch}", ct).ConfigureAwait(false);
            try
            {
                var builder = new NpgsqlConnectionStringBuilder(host.Warehouse.ConnectionString) { Database = scratch };
                await using var scratchSource = NpgsqlDataSource.Create(builder.ConnectionString);
                await new Migrator(scratchSource).MigrateAsync(ct).ConfigureAwait(false);
                var ingester = new OrderFeedIngester(scratchSource, NullLogger<OrderFeedIngester>.Instance);
                foreach (var file in files)
                {
                    Console.WriteLine(await ingester.IngestFileAsync(file, feed, null, ct).ConfigureAwait(false));
                }

                await using (var connection = await scratchSource.OpenConnectionAsync(ct).ConfigureAwait(false))
                await using (var transaction = await connection.BeginTransactionAsync(ct).ConfigureAwait(false))
                {
                    await using var seed = new NpgsqlCommand(SqlResource.Load("seed_identity_one_to_one.sql"), connection);
                    await seed.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                    await transaction.CommitAsync(ct).ConfigureAwait(false);
                }

                return await FitAsync(scratchSource, parse.GetValue(cutoffOption), clv, parse.GetValue(pareto), ct).ConfigureAwait(false);
            }
            finally
            {
                NpgsqlConnection.ClearAllPools();
                await ExecuteAsync(host.DataSource, $"drop database if exists {scratch} with (force)", CancellationToken.None).ConfigureAwait(false);
            }
        });
        var command = new Command("clv", "Customer lifetime value models") { fit };
        return command;
    }

    private static async Task<int> FitAsync(NpgsqlDataSource dataSource, DateOnly? cutoff, ClvOptions options, bool withPareto, CancellationToken ct)
    {
        var at = cutoff ?? await AsOfDay.ResolveAsync(dataSource, null, ct).ConfigureAwait(false);
        var watch = Stopwatch.StartNew();
        var fit = await ClvStage.FitAsync(dataSource, at, options, withPareto, ct).ConfigureAwait(false);
        if (fit is null)
        {
            await Console.Error.WriteLineAsync($"fewer than two repeat buyers before {at:yyyy-MM-dd}: nothing to fit").ConfigureAwait(false);
            return 1;
        }

        var top = Enumerable.Range(0, fit.CustomerIds.Length).OrderByDescending(i => fit.Values[i].Clv).Take(10).ToList();
        Console.WriteLine($"{"customer",10} {"x",4} {"t_x",7} {"T",7} {"m_x",8} {"p_alive",7} {"E[purch]",8} {"E[value]",8} {"clv",9}");
        foreach (var i in top)
        {
            var (s, v) = (fit.Summaries[i], fit.Values[i]);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{fit.CustomerIds[i],10} {s.Frequency,4} {s.Recency,7:F2} {s.Age,7:F2} {s.MonetaryValue,8:F2} {v.ProbabilityAlive,7:F3} {v.ExpectedPurchases,8:F3} {v.ExpectedAverageValue,8:F2} {v.Clv,9:F2}"));
        }

        void P(string name, double value) => Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}={value:G6}"));
        Console.WriteLine($"cutoff={at:yyyy-MM-dd}");
        P("customers", fit.CustomerIds.Length);
        P("repeat_buyers", fit.Summaries.Count(s => s.Frequency > 0));
        P("bgnbd.r", fit.Purchases.R);
        P("bgnbd.alpha", fit.Purchases.Alpha);
        P("bgnbd.a", fit.Purchases.A);
        P("bgnbd.b", fit.Purchases.B);
        P("bgnbd.log_likelihood", fit.Purchases.LogLikelihood);
        if (fit.Pareto is { } pareto)
        {
            P("pareto.r", pareto.R);
            P("pareto.alpha", pareto.Alpha);
            P("pareto.s", pareto.S);
            P("pareto.beta", pareto.Beta);
            P("pareto.log_likelihood", pareto.LogLikelihood);
        }

        P("gammagamma.p", fit.Spend.P);
        P("gammagamma.q", fit.Spend.Q);
        P("gammagamma.gamma", fit.Spend.Gamma);
        P("horizon_days", options.HorizonDays);
        P("annual_discount_rate", options.AnnualDiscountRate);
        P("total_clv", fit.Values.Sum(v => v.Clv));
        P("fit_seconds", watch.Elapsed.TotalSeconds);
        return 0;
    }

    private static async Task ExecuteAsync(NpgsqlDataSource dataSource, string sql, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }
}
