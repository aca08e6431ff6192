using System.Globalization;
using Crm.Pipeline.Churn;
using Crm.Pipeline.Clv;
using Crm.Pipeline.Features;
using Crm.Pipeline.Jobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Crm.Worker.Commands;

/// <summary>
/// What a server running every night would already hold for the demo company's earlier days, which the reports
/// compare with: the churn scores of the previous monthly report's day ("whose churn risk rose most") and the
/// customer values of that day and of a year before ("CLV of the active base" against the previous period and the
/// year before). A demo has only one night, so it computes those too, before the reports run: the scores with the
/// same champion on the features of that day alone (no training cutoffs), the values by the CLV stage's own fit.
/// </summary>
internal static class DemoHistory
{
    /// <summary>The previous monthly report's day.</summary>
    public static DateOnly PreviousReport => DemoCompany.Today.AddMonths(-1);

    /// <summary>The last day of the same month a year before.</summary>
    public static DateOnly YearBefore => DemoCompany.Today.AddYears(-1).AddDays(-1);

    /// <summary>Computes the earlier outputs and returns one line saying what was computed.</summary>
    public static async Task<string> RunAsync(IServiceProvider services, IConfiguration configuration, CancellationToken cancellationToken)
    {
        var scored = await ScoreAsync(services, configuration, cancellationToken).ConfigureAwait(false);
        var clv = new ClvOptions();
        configuration.GetSection("Crm:Clv").Bind(clv);
        var dataSource = services.GetRequiredService<NpgsqlDataSource>();
        var valued = new List<string>();
        foreach (var day in new[] { PreviousReport, YearBefore })
        {
            if (await ClvStage.FitAsync(dataSource, day, clv, false, cancellationToken).ConfigureAwait(false) is { } fit)
            {
                await ClvStage.WriteAsync(dataSource, fit, clv.HorizonDays, AsOfDay.OutputStamp(day, DateTime.UtcNow), cancellationToken).ConfigureAwait(false);
                valued.Add(string.Create(CultureInfo.InvariantCulture, $"{fit.CustomerIds.Length:N0} valued as of {day:yyyy-MM-dd}"));
            }
        }

        return string.Create(CultureInfo.InvariantCulture, $"{scored.Scored:N0} customers also scored as of {PreviousReport:yyyy-MM-dd}; {string.Join(", ", valued)} (the earlier days the reports compare with)");
    }

    private static async Task<ScoringOutcome> ScoreAsync(IServiceProvider services, IConfiguration configuration, CancellationToken cancellationToken)
    {
        var options = new ChurnOptions();
        configuration.GetSection("Crm:Churn").Bind(options);
        options.AsOf = PreviousReport;
        var monitor = new Fixed(options);
        var dataSource = services.GetRequiredService<NpgsqlDataSource>();
        // The scorer reads the features of its day, which a nightly run would have built then.
        await services.GetRequiredService<FeatureBuilder>().BuildAsync(PreviousReport, cancellationToken).ConfigureAwait(false);
        return await new ChurnScorer(dataSource, monitor).ScoreAsync(NullProgressSink.Instance, cancellationToken).ConfigureAwait(false);
    }

    private sealed class Fixed(ChurnOptions value) : IOptionsMonitor<ChurnOptions>
    {
        public ChurnOptions CurrentValue => value;

        public ChurnOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<ChurnOptions, string?> listener) => null;
    }
}
