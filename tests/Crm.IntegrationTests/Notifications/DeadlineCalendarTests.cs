using System.Globalization;
using Crm.IntegrationTests.Infrastructure;
using Crm.Pipeline.Notifications;
using Crm.Pipeline.Display;
using Crm.Worker.Hosting;
using Crm.Worker.Scheduling;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Crm.IntegrationTests.Notifications;

/// <summary>
/// Issue 19, the dead-man's switch and the schedules' calendars: a night whose nightly firing a schedule's
/// <c>ExcludedDates</c> removes is not a missed night; the same night without the exclusion is.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class DeadlineCalendarTests(PostgresCluster cluster)
{
    [Fact]
    public void NightlyScheduleCalendar_IsNotDue_OnAnExcludedDateInTheSchedulesZone()
    {
        // 02:00 in Berlin (UTC+1 in December) is 01:00Z; 24 December is excluded there.
        var calendar = Calendar("0 0 2 * * ?", "Europe/Berlin", "2026-12-24");

        Assert.False(calendar.IsDueBetween(At("2026-12-23T02:00:00Z"), At("2026-12-24T02:00:00Z")));
        Assert.True(calendar.IsDueBetween(At("2026-12-24T02:00:00Z"), At("2026-12-25T02:00:00Z")));
        // The firing of 23 December, 01:00Z, lies in this window and is not excluded.
        Assert.True(calendar.IsDueBetween(At("2026-12-22T12:00:00Z"), At("2026-12-23T12:00:00Z")));
        // No nightly schedule at all: nothing says a night is off.
        Assert.True(new NightlyScheduleCalendar(Options.Create(new SchedulesOptions())).IsDueBetween(At("2026-12-23T02:00:00Z"), At("2026-12-24T02:00:00Z")));
    }

    [Fact]
    public void NightlyScheduleCalendar_LastDue_SkipsExcludedDates_AndIsNullWithoutANightlySchedule()
    {
        // Fires 01:00Z (02:00 Berlin) daily; 24 December excluded.
        var calendar = Calendar("0 0 2 * * ?", "Europe/Berlin", "2026-12-24");

        Assert.Equal(At("2026-12-23T01:00:00Z"), calendar.LastDueAtOrBefore(At("2026-12-23T12:00:00Z")));
        Assert.Equal(At("2026-12-23T01:00:00Z"), calendar.LastDueAtOrBefore(At("2026-12-24T12:00:00Z")));
        // At the firing itself, it is due.
        Assert.Equal(At("2026-12-25T01:00:00Z"), calendar.LastDueAtOrBefore(At("2026-12-25T01:00:00Z")));
        // A fortnight excluded: the look-back goes past its first two days.
        var away = new NightlyScheduleCalendar(Options.Create(new SchedulesOptions
        {
            Items = [new ScheduleOptions
            {
                Name = "nightly", Job = "nightly", Cron = "0 30 3 * * ?", TimeZone = "UTC",
                ExcludedDates = [.. Enumerable.Range(1, 14).Select(d => $"2026-08-{d:00}")],
            }],
        }));
        Assert.Equal(At("2026-07-31T03:30:00Z"), away.LastDueAtOrBefore(At("2026-08-14T23:00:00Z")));
        Assert.Null(new NightlyScheduleCalendar(Options.Create(new SchedulesOptions())).LastDueAtOrBefore(At("2026-12-24T12:00:00Z")));
    }

    [Fact]
    public async Task ANightTheCalendarExcludes_RaisesNoMissedNightly_AndTheSameNightNotExcludedDoes()
    {
        var connectionString = await cluster.CreateMigratedConnectionStringAsync("deadcal");
        await using var ds = NpgsqlDataSource.Create(connectionString);
        // Armed two days ago, no nightly run since: the deadline a minute ago has passed without one.
        await ds.ExecuteAsync("insert into ops.watch_armed (check_name, armed_at) values ('nightly-start', now() - interval '2 days')");
        var now = (await ds.ScalarAsync<DateTime>("select now()")).ToUniversalTime();
        var deadline = new DateTime(now.Ticks - (now.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc).AddMinutes(-1);
        // The nightly fires daily half an hour before the deadline; that firing's day (UTC) is the one to exclude.
        var firing = deadline.AddMinutes(-30);
        var cron = firing.ToString("s m H", CultureInfo.InvariantCulture) + " * * ?";
        var tonight = firing.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var options = Options.Create(new NotificationsOptions
        {
            Emails = ["admin@example.com"],
            Nightly = new NightlyDeadlineOptions { StartBy = deadline.ToString("HH:mm:ss", CultureInfo.InvariantCulture), TimeZone = "UTC" },
        });
        var display = Options.Create(new DisplayOptions());

        var excluded = await new IncidentBook(ds, options, display, Calendar(cron, "UTC", tonight)).CheckAsync(CancellationToken.None);
        var openAfterExcluded = await ds.ScalarAsync<long>("select count(*) from ops.incident where incident_key = 'nightly-not-started'");
        var other = await new IncidentBook(ds, options, display, Calendar(cron, "UTC", firing.AddDays(-1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)))
            .CheckAsync(CancellationToken.None);

        Assert.DoesNotContain(excluded, i => i.Key == "nightly-not-started");
        Assert.Equal(0L, openAfterExcluded);
        Assert.Contains(other, i => i.Key == "nightly-not-started");
        Assert.Equal(1L, await ds.ScalarAsync<long>("select count(*) from ops.incident where incident_key = 'nightly-not-started' and resolved_at is null"));
    }

    private static NightlyScheduleCalendar Calendar(string cron, string zone, string excluded) =>
        new(Options.Create(new SchedulesOptions
        {
            Items = [new ScheduleOptions { Name = "nightly", Job = "nightly", Cron = cron, TimeZone = zone, ExcludedDates = [excluded] }],
        }));

    private static DateTimeOffset At(string iso) => DateTimeOffset.Parse(iso, CultureInfo.InvariantCulture);
}
