namespace Crm.Pipeline.Identity;

/// <summary>One bar of a match-weight waterfall: a field's comparison and how far it moved the weight.</summary>
/// <param name="Field">The field's name (<c>given</c>, <c>date_of_birth</c>, …), or <c>prior</c> for the starting weight.</param>
/// <param name="Level">The comparison level (−1 = a value is missing).</param>
/// <param name="Agreement">The level's name (<c>exact</c>, <c>one edit apart</c>, <c>missing</c>, …).</param>
/// <param name="Left">The first record's value.</param>
/// <param name="Right">The second record's value.</param>
/// <param name="Weight">log2(m/u) of the level: positive pushes towards a match, negative away.</param>
public sealed record WaterfallBar(string Field, int Level, string Agreement, string? Left, string? Right, double Weight);

/// <summary>
/// Which fields pushed a pair's match weight up or down (Splink's waterfall chart): the prior
/// log2(λ/(1−λ)), then one bar per compared field, summing to the total weight.
/// </summary>
public sealed class MatchWeightWaterfall
{
    private MatchWeightWaterfall(double prior, IReadOnlyList<WaterfallBar> bars)
    {
        Prior = prior;
        Bars = bars;
        Total = prior + bars.Sum(b => b.Weight);
    }

    /// <summary>The starting weight, log2(λ/(1−λ)).</summary>
    public double Prior { get; }

    /// <summary>The fields that either record has a value for, in <see cref="MatchField"/> order.</summary>
    public IReadOnlyList<WaterfallBar> Bars { get; }

    /// <summary>The match weight: <see cref="Prior"/> plus every bar.</summary>
    public double Total { get; }

    /// <summary>The match probability, 1 / (1 + 2^−weight).</summary>
    public double Probability => 1.0 / (1.0 + Math.Pow(2, -Total));

    /// <summary>The waterfall of two records under <paramref name="model"/>.</summary>
    public static MatchWeightWaterfall Of(FellegiSunterModel model, MatchRecord left, MatchRecord right)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        return Of(model, PairComparer.Compare(left, right), left, right);
    }

    internal static MatchWeightWaterfall Of(FellegiSunterModel model, ulong pattern, MatchRecord left, MatchRecord right)
    {
        var bars = new List<WaterfallBar>();
        var adjust = model.FrequencyAdjustments(pattern, left, right);

        // When the names compare better swapped, show the right record's names in the order compared.
        var reading = PairComparer.NamesRead(left, right);
        var swapped = reading == NameReading.Swapped;
        for (var f = 0; f < MatchRecord.FieldCount; f++)
        {
            var field = (MatchField)f;
            var level = PairComparer.Level(pattern, f);
            if (level < 0 && left[field] is null && right[field] is null)
            {
                continue;
            }

            var other = !swapped ? right[field] : field switch
            {
                MatchField.Given => right[MatchField.Family],
                MatchField.Family => right[MatchField.Given],
                _ => right[field],
            };
            var order = field is not (MatchField.Given or MatchField.Family) ? string.Empty
                : reading switch { NameReading.Swapped => ", names swapped", NameReading.Reordered => ", one name in another order", _ => string.Empty };
            var agreement = level < 0 ? "missing" : PairComparer.LevelNames[f][level] + order;
            bars.Add(new WaterfallBar(Evidence.Name(field), level, agreement, left[field], other, model.Weight(f, level) + adjust[f]));
        }

        return new MatchWeightWaterfall(Math.Log2(model.Lambda / (1 - model.Lambda)), bars);
    }
}
