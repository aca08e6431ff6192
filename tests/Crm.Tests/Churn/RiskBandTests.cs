using Crm.Pipeline.Churn;

namespace Crm.Tests.Churn;

public sealed class RiskBandTests
{
    [Fact]
    public void Bands_ByShare_PutTheMostLikelyTenthHighAndTheNextFifthMedium()
    {
        // 1,000 distinct probabilities in a shuffled order, most of them above the old 0.7 threshold.
        var random = new Random(5);
        var probabilities = Enumerable.Range(0, 1000).Select(i => 0.5 + i / 2000.0).OrderBy(_ => random.Next()).ToArray();

        var bands = ChurnScorer.Bands(probabilities, new ChurnOptions());

        Assert.Equal(100, bands.Count(b => b == "high"));
        Assert.Equal(200, bands.Count(b => b == "medium"));
        Assert.Equal(700, bands.Count(b => b == "low"));
        var lowestHigh = probabilities.Where((_, i) => bands[i] == "high").Min();
        var highestMedium = probabilities.Where((_, i) => bands[i] == "medium").Max();
        var lowestMedium = probabilities.Where((_, i) => bands[i] == "medium").Min();
        var highestLow = probabilities.Where((_, i) => bands[i] == "low").Max();
        Assert.True(lowestHigh > highestMedium && lowestMedium > highestLow);
    }

    [Fact]
    public void Bands_ByShare_KeepEqualProbabilitiesInOneBand()
    {
        double[] probabilities = [0.9, 0.9, 0.9, 0.2, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1];

        var bands = ChurnScorer.Bands(probabilities, new ChurnOptions { HighRiskShare = 0.1, MediumRiskShare = 0.2 });

        Assert.Equal(["high", "high", "high", "low", "low", "low", "low", "low", "low", "low"], bands);
    }

    [Fact]
    public void Bands_ByProbability_UseTheThresholds()
    {
        var options = new ChurnOptions { RiskBands = RiskBandRule.Probability, HighRiskThreshold = 0.7, MediumRiskThreshold = 0.4 };

        Assert.Equal(["high", "medium", "low", "high"], ChurnScorer.Bands([0.7, 0.4, 0.39, 0.95], options));
    }

    [Fact]
    public void Validator_NamesBadShares()
    {
        var result = new ChurnOptionsValidator().Validate(null, new ChurnOptions { HighRiskShare = 0.6, MediumRiskShare = 0.5, HorizonDays = 0 });

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.Contains("HighRiskShare + MediumRiskShare", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.Contains("HorizonDays", StringComparison.Ordinal));
        Assert.True(new ChurnOptionsValidator().Validate(null, new ChurnOptions()).Succeeded);
    }
}
