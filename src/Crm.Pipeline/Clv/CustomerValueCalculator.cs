using Crm.Pipeline.Features;
namespace Crm.Pipeline.Clv;

/// <summary>
/// Discounted CLV from a BG/NBD purchase model and a Gamma-Gamma spend model: the horizon is cut into
/// steps of about a month; each step's expected purchases (the increase of E[Y(t)]) times the expected
/// spend is discounted to today at the annual rate, as in Fader, Hardie &amp; Lee (2005) and lifetimes.
/// </summary>
public sealed class CustomerValueCalculator
{
    private readonly BgNbdModel _purchases;
    private readonly GammaGammaModel _spend;
    private readonly double _horizonDays;
    private readonly double _annualDiscountRate;
    private readonly double _daysPerUnit;

    /// <summary>Creates a calculator. The models' time unit is <paramref name="daysPerUnit"/> days (7 for weeks).</summary>
    public CustomerValueCalculator(BgNbdModel purchases, GammaGammaModel spend, int horizonDays, double annualDiscountRate, double daysPerUnit = 7)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(horizonDays);
        ArgumentOutOfRangeException.ThrowIfNegative(annualDiscountRate);
        _purchases = purchases;
        _spend = spend;
        _horizonDays = horizonDays;
        _annualDiscountRate = annualDiscountRate;
        _daysPerUnit = daysPerUnit;
    }

    /// <summary>Computes the customer's value over the horizon.</summary>
    public CustomerValue Compute(CustomerSummary c)
    {
        const double stepDays = 365.25 / 12;
        var steps = Math.Max(1, (int)Math.Ceiling(_horizonDays / stepDays));
        var avg = _spend.ExpectedAverageValue(c);
        var previous = 0.0;
        var clv = 0.0;
        for (var i = 1; i <= steps; i++)
        {
            var days = Math.Min(_horizonDays, i * stepDays);
            var expected = _purchases.ExpectedPurchases(c, days / _daysPerUnit);
            clv += (expected - previous) * avg / Math.Pow(1 + _annualDiscountRate, days / 365.25);
            previous = expected;
        }

        return new CustomerValue(_purchases.ProbabilityAlive(c), previous, avg, clv);
    }
}
