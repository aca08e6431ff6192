using Crm.Pipeline.Sources;

namespace Crm.Tests.Sources;

/// <summary>The one sum of an ingest stage's units (#21): counts add up, failures are named, the summary keeps three.</summary>
public sealed class UnitTallyTests
{
    [Fact]
    public void Add_SumsCountsAndNamesFailedFilesByName_KeepingThreeReasons()
    {
        var tally = new UnitTally();
        tally.Add(new UnitResult("/drop/a.csv", "loaded", new IngestCounts(10, 7, 2, 1)));
        tally.AddRange(
        [
            new UnitResult("/drop/b.csv", "failed", new IngestCounts(0, 0, 0, 0), "truncated gzip"),
            new UnitResult("/drop/c.csv", "skipped", new IngestCounts(5, 0, 0, 5)),
            new UnitResult("/drop/d.csv", "failed", default, "unreadable"),
            new UnitResult("/drop/e.csv", "failed", default, "bad header"),
        ]);
        tally.AddFailure("folder /drop/gone is missing");

        Assert.Equal(new IngestCounts(15, 7, 2, 6), tally.Total);
        Assert.Equal(5, tally.Units);
        Assert.Equal(4, tally.Failed);
        Assert.Equal(" — b.csv: truncated gzip; d.csv: unreadable; e.csv: bad header; and 1 more", tally.Failures());
    }

    [Fact]
    public void Failures_IsEmpty_WhenNothingFailed_AndUsesTheGivenDescription()
    {
        var clean = new UnitTally();
        clean.Add(new UnitResult("x", "loaded", new IngestCounts(1, 1, 0, 0)));
        Assert.Equal("", clean.Failures());

        var mail = new UnitTally(r => r.ToString());
        mail.Add(new UnitResult("imap:sales/INBOX", "failed", default, "login refused"));
        Assert.Equal(" — imap:sales/INBOX: failed: login refused", mail.Failures());
    }
}
