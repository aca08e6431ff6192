using Crm.Pipeline.Identity;

namespace Crm.Tests.Identity;

/// <summary>EM recovers the m and u probabilities and the match share that generated a synthetic mixture.</summary>
public sealed class ExpectationMaximisationTests
{
    private static readonly MatchField[] Fields = [MatchField.Given, MatchField.Family, MatchField.DateOfBirth, MatchField.Postcode, MatchField.Email];

    [Theory]
    [InlineData(0.2, false)]
    [InlineData(0.05, false)]
    [InlineData(0.3, true)]
    public void Fit_RecoversKnownParameters(double lambda, bool fixU)
    {
        var random = new Random(42);
        var m = new Dictionary<MatchField, double[]>
        {
            [MatchField.Given] = [0.05, 0.10, 0.15, 0.70],
            [MatchField.Family] = [0.04, 0.06, 0.10, 0.80],
            [MatchField.DateOfBirth] = [0.05, 0.03, 0.07, 0.85],
            [MatchField.Postcode] = [0.10, 0.10, 0.80],
            [MatchField.Email] = [0.30, 0.10, 0.60],
        };
        var u = new Dictionary<MatchField, double[]>
        {
            [MatchField.Given] = [0.80, 0.12, 0.05, 0.03],
            [MatchField.Family] = [0.85, 0.10, 0.03, 0.02],
            [MatchField.DateOfBirth] = [0.90, 0.06, 0.03, 0.01],
            [MatchField.Postcode] = [0.85, 0.10, 0.05],
            [MatchField.Email] = [0.97, 0.02, 0.01],
        };

        // Draw 200,000 pairs: a match with probability λ, then each field's level from m or u; 10 % of values missing.
        var counts = new Dictionary<ulong, long>();
        for (var i = 0; i < 200_000; i++)
        {
            var match = random.NextDouble() < lambda;
            ulong pattern = 0;
            foreach (var f in Fields)
            {
                var level = random.NextDouble() < 0.1 ? -1 : Draw(random, match ? m[f] : u[f]);
                pattern |= (ulong)(level + 1) << ((int)f * 4);
            }

            counts[pattern] = counts.GetValueOrDefault(pattern) + 1;
        }

        var active = new bool[MatchRecord.FieldCount];
        foreach (var f in Fields)
        {
            active[f == MatchField.Given ? 0 : (int)f] = true;
        }

        var start = FellegiSunterModel.Start(active, 0.5);
        if (fixU)
        {
            foreach (var f in Fields)
            {
                start.U[(int)f] = u[f];
            }
        }

        var model = ExpectationMaximisation.Fit(counts, start, fixU);

        Assert.Equal(lambda, model.Lambda, 0.01);
        foreach (var f in Fields)
        {
            for (var l = 0; l < m[f].Length; l++)
            {
                Assert.Equal(m[f][l], model.M[(int)f][l], 0.02);
                Assert.Equal(u[f][l], model.U[(int)f][l], 0.02);
            }
        }
    }

    private static int Draw(Random random, double[] p)
    {
        var x = random.NextDouble();
        for (var i = 0; i < p.Length; i++)
        {
            x -= p[i];
            if (x < 0)
            {
                return i;
            }
        }

        return p.Length - 1;
    }
}
