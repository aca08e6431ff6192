namespace Crm.Pipeline.Features;

/// <summary>
/// Which golden customers a cutoff's features are built for. A customer is in a sample of
/// <c>slots</c> when <c>hashint8(customer_id) &amp; 1048575 &lt; slots</c> (the SQL files test exactly that), so
/// a smaller sample is always part of a larger one and the same customer stays in it night after night.
/// Past cutoffs only feed the backtest and training, which read a few hundred thousand rows at most;
/// building them for a million customers each would be work thrown away. The scored cutoff covers everyone.
/// </summary>
public static class FeatureSample
{
    /// <summary>Number of hash slots: a sample of <see cref="All"/> slots is every customer.</summary>
    public const int All = 1 << 20;

    /// <summary>
    /// The slots that give about <paramref name="wanted"/> of <paramref name="customers"/> customers: every
    /// customer when <paramref name="wanted"/> is 0 (no sampling) or at least <paramref name="customers"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A negative count.</exception>
    public static int SlotsFor(long customers, int wanted)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(customers);
        ArgumentOutOfRangeException.ThrowIfNegative(wanted);
        if (wanted == 0 || wanted >= customers)
        {
            return All;
        }

        return (int)Math.Clamp(Math.Ceiling((double)All * wanted / customers), 1, All);
    }

    /// <summary>The share of customers a sample of <paramref name="slots"/> holds, for messages.</summary>
    public static double Share(int slots) => (double)slots / All;
}
