using Crm.Pipeline.Features;
namespace Crm.Pipeline.Clv;

/// <summary>The fitted CLV models of one cutoff and the per-customer values.</summary>
/// <param name="Cutoff">The cutoff the summaries were taken at.</param>
/// <param name="Purchases">BG/NBD.</param>
/// <param name="Pareto">Pareto/NBD (null when not requested).</param>
/// <param name="Spend">Gamma-Gamma.</param>
/// <param name="CustomerIds">Customer of each value.</param>
/// <param name="Summaries">x, t_x, T (weeks) and mean repeat value of each customer.</param>
/// <param name="Values">Value of each customer over the horizon.</param>
public sealed record ClvFit(
    DateOnly Cutoff, BgNbdModel Purchases, ParetoNbdModel? Pareto, GammaGammaModel Spend,
    long[] CustomerIds, CustomerSummary[] Summaries, CustomerValue[] Values)
{
    /// <summary>Fits the models on (a sample of) <paramref name="summaries"/> and values every customer.</summary>
    public static ClvFit Compute(DateOnly cutoff, long[] customerIds, CustomerSummary[] summaries, ClvOptions options, bool withPareto)
    {
        ArgumentNullException.ThrowIfNull(summaries);
        ArgumentNullException.ThrowIfNull(options);
        var sample = CustomerSummaryQuery.Sample(summaries, options.MaxFitCustomers);
        var bg = BgNbdModel.Fit(sample);
        var gg = GammaGammaModel.Fit(sample);
        var pareto = withPareto ? ParetoNbdModel.Fit(sample) : null;
        var calculator = new CustomerValueCalculator(bg, gg, options.HorizonDays, options.AnnualDiscountRate);
        var values = new CustomerValue[summaries.Length];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = calculator.Compute(summaries[i]);
        }

        return new ClvFit(cutoff, bg, pareto, gg, customerIds, summaries, values);
    }
}
