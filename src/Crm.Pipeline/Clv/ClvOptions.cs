namespace Crm.Pipeline.Clv;

/// <summary>CLV settings, bound from <c>Crm:Clv</c>.</summary>
public sealed class ClvOptions
{
    /// <summary>Horizon of the expected purchases and the discounted value, in days.</summary>
    public int HorizonDays { get; set; } = 365;

    /// <summary>Annual discount rate of future purchases (0.10 = 10 %).</summary>
    public double AnnualDiscountRate { get; set; } = 0.10;

    /// <summary>The models are fitted on at most this many customers (a deterministic sample) and applied to all.</summary>
    public int MaxFitCustomers { get; set; } = 100_000;
}
