using Crm.Pipeline.Notifications;
using Crm.Pipeline.Display;

namespace Crm.Tests.Notifications;

/// <summary>Issue 19: the notification settings, durations, deadlines and the one date format.</summary>
public sealed class NotificationsOptionsTests
{
    [Theory]
    [InlineData("26h", 26 * 3600)]
    [InlineData("90m", 90 * 60)]
    [InlineData("45s", 45)]
    [InlineData("2d", 2 * 86400)]
    [InlineData("1.5h", 5400)]
    public void Durations_Parse_TheUnitsPeopleWrite(string text, int seconds)
    {
        Assert.True(Durations.TryParse(text, out var value));
        Assert.Equal(TimeSpan.FromSeconds(seconds), value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("26")]
    [InlineData("h")]
    [InlineData("-2h")]
    [InlineData("0h")]
    [InlineData("3w")]
    public void Durations_Refuse_AnythingElse(string text) => Assert.False(Durations.TryParse(text, out _));

    [Fact]
    public void Validate_NamesEverySettingThatIsWrong_AndNeverTheWebhookUrl()
    {
        var options = new NotificationsOptions
        {
            Emails = ["root"],
            Webhooks = [new WebhookOptions { Name = "chat", Url = "ftp://hooks.example.com/T0KEN" }, new WebhookOptions { Url = "https://a.example.com/x" }, new WebhookOptions { Url = "https://a.example.com/y" }],
            Silences = [new SilenceOptions { Source = "orders", After = "26" }, new SilenceOptions { Source = "crm", After = "1h" }],
            Nightly = new NightlyDeadlineOptions { StartBy = "25:00", TimeZone = "Mars/Olympus" },
            CheckSeconds = 0,
        };

        var failures = new NotificationsOptionsValidator().Validate(null, options).Failures!.ToList();

        Assert.Equal(
        [
            "Crm:Notifications:Emails:0 must be an email address; got 'root'.",
            "Crm:Notifications:Emails needs an SMTP server: set Crm:Reports:Smtp:Host (the server the reports use), or remove the addresses.",
            "Crm:Notifications:Webhooks:0:Url must be an http:// or https:// URL.",
            "Crm:Notifications:Webhooks:2:Name 'a.example.com' is used by another webhook; give each webhook its own Name.",
            "Crm:Notifications:Silences:0:After must be a duration such as 26h, 90m or 2d; got '26'.",
            "Crm:Notifications:Silences:1:Source must be orders, weblogs or email; got 'crm'.",
            "Crm:Notifications:Nightly:StartBy must be a time of day HH:mm (24 h); got '25:00'.",
            "Crm:Notifications:Nightly:TimeZone must be an IANA time zone such as Europe/Berlin; got 'Mars/Olympus'.",
            "Crm:Notifications:CheckSeconds must be 1..3600; got 0.",
        ], failures);
        Assert.DoesNotContain(failures, f => f.Contains("T0KEN", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_TakesAGoodSetting()
    {
        var options = new NotificationsOptions
        {
            Emails = ["ops@example.com"],
            Webhooks = [new WebhookOptions { Url = "https://hooks.slack.com/services/T/B/X" }],
            Silences = [new SilenceOptions { Source = "orders", After = "26h" }],
            Nightly = new NightlyDeadlineOptions { StartBy = "02:30", FinishBy = "05:00", TimeZone = "Europe/Berlin" },
        };
        options.Smtp.Host = "smtp.example.com";

        Assert.True(new NotificationsOptionsValidator().Validate(null, options).Succeeded);
    }

    [Theory]
    // 02:30 Berlin is 01:30 UTC in winter; at 01:29 UTC the latest deadline is the day before.
    [InlineData("2026-12-07T01:31:00Z", "2026-12-07T01:30:00Z")]
    [InlineData("2026-12-07T01:29:00Z", "2026-12-06T01:30:00Z")]
    // Summer: 02:30 Berlin is 00:30 UTC.
    [InlineData("2026-07-07T00:31:00Z", "2026-07-07T00:30:00Z")]
    // 2026-03-29 the clock jumps from 02:00 to 03:00 in Berlin: 02:30 does not exist; the deadline is 03:30 CEST = 01:30 UTC.
    [InlineData("2026-03-29T01:45:00Z", "2026-03-29T01:30:00Z")]
    public void LatestDeadline_IsTheLastTimeTheLocalClockShowedIt(string now, string expected)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        var deadline = IncidentBook.LatestDeadline(DateTime.Parse(now, null, System.Globalization.DateTimeStyles.AdjustToUniversal), new TimeOnly(2, 30), zone);
        Assert.Equal(DateTime.Parse(expected, null, System.Globalization.DateTimeStyles.AdjustToUniversal), deadline);
    }

    [Fact]
    public void DisplayTime_IsIso8601WithTheZone()
    {
        var moment = new DateTimeOffset(2026, 12, 7, 1, 30, 0, TimeSpan.Zero);
        Assert.Equal("2026-12-07T01:30:00Z", DisplayTime.Format(moment, TimeZoneInfo.Utc));
        Assert.Equal("2026-12-07T02:30:00+01:00", DisplayTime.Format(moment, TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin")));
        Assert.Equal("2026-12-06T20:30:00-05:00", DisplayTime.Format(moment, TimeZoneInfo.FindSystemTimeZoneById("America/New_York")));
    }
}
