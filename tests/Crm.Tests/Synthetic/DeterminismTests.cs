using Crm.Synthetic;

namespace Crm.Tests.Synthetic;

public sealed class DeterminismTests
{
    private static GeneratorOptions Small(ulong seed) => new()
    {
        Customers = 400, Days = 75, Seed = seed, OrderFaultRate = 0.02, WebFaultRate = 0.01, EmailFaultRate = 0.05,
        CampaignReach = 0.3, QuestionsPerYear = 1,
    };

    [Fact]
    public void SameArguments_WriteByteIdenticalFiles()
    {
        using var a = new GeneratedCompany(Small(5));
        using var b = new GeneratedCompany(Small(5));

        var filesA = Directory.GetFiles(a.Root, "*", SearchOption.AllDirectories).Select(a.Relative).Order(StringComparer.Ordinal).ToList();
        var filesB = Directory.GetFiles(b.Root, "*", SearchOption.AllDirectories).Select(b.Relative).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(filesA, filesB);
        Assert.Contains(filesA, f => f.StartsWith("orders/", StringComparison.Ordinal) && f.EndsWith(".gz", StringComparison.Ordinal));
        Assert.Contains(filesA, f => f.StartsWith("email/eml/", StringComparison.Ordinal));
        Assert.Contains(filesA, f => f.StartsWith("email/mbox/", StringComparison.Ordinal));
        Assert.Contains(filesA, f => f.StartsWith("weblogs/help/", StringComparison.Ordinal));
        foreach (var file in filesA)
        {
            var bytesA = File.ReadAllBytes(Path.Combine(a.Root, file));
            var bytesB = File.ReadAllBytes(Path.Combine(b.Root, file));
            Assert.True(bytesA.AsSpan().SequenceEqual(bytesB), $"{file} differs between two runs with the same arguments");
        }
    }

    [Fact]
    public void DifferentSeeds_WriteDifferentPeopleOrdersAndLogs()
    {
        using var a = new GeneratedCompany(Small(5));
        using var b = new GeneratedCompany(Small(6));

        Assert.NotEqual(File.ReadAllText(Path.Combine(a.Root, "truth", "persons.csv")), File.ReadAllText(Path.Combine(b.Root, "truth", "persons.csv")));
        var emailsA = a.Truth("persons.csv").Select(r => r[5]).ToHashSet();
        var emailsB = b.Truth("persons.csv").Select(r => r[5]).ToHashSet();
        Assert.True(emailsA.Intersect(emailsB).Count() < emailsA.Count / 10, "most people are the same under another seed");
        var logA = string.Join('\n', a.Files("weblogs/www").SelectMany(GeneratedCompany.Lines));
        var logB = string.Join('\n', b.Files("weblogs/www").SelectMany(GeneratedCompany.Lines));
        Assert.NotEqual(logA, logB);
    }
}
