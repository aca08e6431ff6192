using Crm.Pipeline.Backup;

namespace Crm.Tests.Backup;

/// <summary>Issue 23: which snapshots the backup stage keeps (the newest per day for KeepDaily days, then per ISO week for KeepWeekly weeks).</summary>
public sealed class SnapshotRetentionTests
{
    private static (string Path, DateTimeOffset Taken) At(string utc) =>
        ("crm-" + utc, DateTimeOffset.Parse(utc, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal));

    [Fact]
    public void Keep_SeveralSnapshotsADay_KeepsTheNewestOfEachDay()
    {
        // Newest first, as SnapshotRetention.List gives them.
        var snapshots = new[]
        {
            At("2026-12-03T18:00:00Z"), At("2026-12-03T02:00:00Z"),
            At("2026-12-02T02:00:00Z"),
            At("2026-12-01T23:00:00Z"), At("2026-12-01T02:00:00Z"),
        };

        var keep = SnapshotRetention.Keep(snapshots, daily: 3, weekly: 0);

        Assert.Equal(["crm-2026-12-03T18:00:00Z", "crm-2026-12-02T02:00:00Z", "crm-2026-12-01T23:00:00Z"], keep.Order(StringComparer.Ordinal).Reverse());
    }

    [Fact]
    public void Keep_WeeklyOnes_ComeFromWeeksWithoutADailyOne()
    {
        // Sunday 6 Dec and Saturday 5 Dec are daily (ISO week 49); Thursday 3 Dec is in week 49 too, so the weekly ones are
        // the newest of week 48 (Friday 27 Nov) and week 47 (Wednesday 18 Nov).
        var snapshots = new[]
        {
            At("2026-12-06T02:00:00Z"), At("2026-12-05T02:00:00Z"), At("2026-12-03T02:00:00Z"),
            At("2026-11-27T02:00:00Z"), At("2026-11-24T02:00:00Z"),
            At("2026-11-18T02:00:00Z"),
            At("2026-11-10T02:00:00Z"),
        };

        var keep = SnapshotRetention.Keep(snapshots, daily: 2, weekly: 2);

        Assert.Equal(
            ["crm-2026-11-18T02:00:00Z", "crm-2026-11-27T02:00:00Z", "crm-2026-12-05T02:00:00Z", "crm-2026-12-06T02:00:00Z"],
            keep.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Keep_LessHistoryThanTheWindows_KeepsEverything()
    {
        var snapshots = new[] { At("2026-12-06T02:00:00Z"), At("2026-11-20T02:00:00Z") };

        Assert.Equal(2, SnapshotRetention.Keep(snapshots, daily: 7, weekly: 4).Count);
    }
}
