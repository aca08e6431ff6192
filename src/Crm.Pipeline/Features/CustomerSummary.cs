namespace Crm.Pipeline.Features;

/// <summary>
/// One customer's purchase history as the buy-till-you-die models see it, in the model's time unit
/// (weeks in the literature and here).
/// </summary>
/// <param name="Frequency">x: the number of repeat purchases (purchase days after the first).</param>
/// <param name="Recency">t_x: time from the first to the last purchase.</param>
/// <param name="Age">T: time from the first purchase to the end of the observation window.</param>
/// <param name="MonetaryValue">Mean value of the repeat purchases (0 when there are none).</param>
public readonly record struct CustomerSummary(double Frequency, double Recency, double Age, double MonetaryValue);
