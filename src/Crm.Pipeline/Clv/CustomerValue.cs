using Crm.Pipeline.Features;
namespace Crm.Pipeline.Clv;

/// <summary>One customer's value over a horizon.</summary>
/// <param name="ProbabilityAlive">BG/NBD probability the customer is alive now.</param>
/// <param name="ExpectedPurchases">Expected purchases over the horizon.</param>
/// <param name="ExpectedAverageValue">Gamma-Gamma expected mean transaction value.</param>
/// <param name="Clv">Discounted value of the expected purchases over the horizon.</param>
public readonly record struct CustomerValue(double ProbabilityAlive, double ExpectedPurchases, double ExpectedAverageValue, double Clv);
