using Crm.Worker.Settings;
using Microsoft.Extensions.Configuration;

namespace Crm.IntegrationTests.Settings;

/// <summary>
/// Every settings rule checked at start: one wrong value at a time, and the failure must name the setting path
/// (as the user typed it in crm.json) and the value. No warehouse is needed: validation happens before it starts.
/// </summary>
public sealed class SettingsValidationTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("crm-settings-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private Dictionary<string, string?> GoodFeed(string prefix = "Crm:Orders:Feeds:0") => new()
    {
        [$"{prefix}:Name"] = "shop",
        [$"{prefix}:Folder"] = _folder,
        [$"{prefix}:Format"] = "csv",
        [$"{prefix}:Columns:order_id"] = "id",
        [$"{prefix}:Columns:order_date"] = "date",
        [$"{prefix}:Columns:email"] = "email",
        [$"{prefix}:Columns:unit_price"] = "price",
    };

    private static IReadOnlyList<string> Validate(Dictionary<string, string?> settings) =>
        CrmSettings.Validate(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());

    [Fact]
    public void A_good_feed_passes()
    {
        Assert.Empty(Validate(GoodFeed()));
    }

    // Each case: a setting and a wrong value; the failure must name that setting and show the value.
    public static TheoryData<string, string, string> FeedMistakes => new()
    {
        { "Crm:Orders:Feeds:0:TimeZone", "Europe/Berlinn", "Europe/Berlinn" },
        { "Crm:Orders:Feeds:0:Format", "xlsx", "xlsx" },
        { "Crm:Orders:Feeds:0:Folder", "/nonexistent/crm-orders", "does not exist" },
        { "Crm:Orders:Feeds:0:Pattern", "../*.csv", "../*.csv" },
        { "Crm:Orders:Feeds:0:DateFormats:0", "", "DateFormats:0" },
        { "Crm:Orders:Feeds:0:Delimiter", ";;", ";;" },
        { "Crm:Orders:Feeds:0:DefaultCurrency", "euro", "euro" },
        { "Crm:Orders:Feeds:0:Columns:order_dat", "date", "order_dat" },
        { "Crm:Orders:Feeds:0:StatusMap:refunded", "gone", "gone" },
        { "Crm:Orders:Feeds:0:Encoding", "latin-9x", "latin-9x" },
        { "Crm:Orders:Feeds:0:ThousandsSeparator", "#", "#" },
        { "Crm:WebLogs:Sources:0:Folder", "/nonexistent/crm-logs", "does not exist" },
        { "Crm:WebLogs:Sources:0:IpPrivacy", "blur", "blur" },
        { "Crm:WebLogs:SessionTimeoutMinutes", "0", "got 0" },
        { "Crm:Email:Drops:0", "/nonexistent/crm-mail", "/nonexistent/crm-mail" },
        { "Crm:Email:StaffDomains:0", "@example.com", "@example.com" },
        { "Crm:Email:Imap:Accounts:0:Tls", "sometimes", "sometimes" },
        { "Crm:Reports:Recipients:0:Address", "not-an-address", "not-an-address" },
        { "Crm:Reports:Recipients:0:TimeZone", "Mars/Olympus", "Mars/Olympus" },
        { "Crm:Reports:Recipients:0:Cadence", "hourly", "hourly" },
        { "Crm:Reports:Smtp:Port", "70000", "70000" },
        { "Crm:Reports:Smtp:Security", "maybe", "maybe" },
        { "Crm:Identity:Mode", "sometimes", "sometimes" },
        { "Crm:Identity:Matching:MatchThreshold", "1.5", "1.5" },
        { "Crm:Churn:HighRiskShare", "-0.5", "got -0.5" },
        { "Crm:Clv:HorizonDays", "0", "got 0" },
        { "Crm:Segments:Clusters", "1", "got 1" },
        { "Crm:Retention:QuarantineDays", "-1", "got -1" },
        { "Crm:Dashboard:Users:0:Role", "boss", "boss" },
        { "Crm:Dashboard:Users:0:PasswordHash", "hunter2", "PasswordHash" },
        { "Crm:Schedules:0:Cron", "every night", "every night" },
        { "Crm:Schedules:0:TimeZone", "Europe/Parys", "Europe/Parys" },
        { "Crm:Worker:WorkerCount", "lots", "lots" },
        { "Crm:Orders:Feeds:0:HasHeader", "yes please", "yes please" },
        { "Crm:Reports:Recipients:0:Weekday", "Funday", "Funday" },
        { "Crm:Reports:Calendar:Holidays:0", "25.12.2026", "25.12.2026" },
    };

    [Theory]
    [MemberData(nameof(FeedMistakes))]
    public void A_wrong_setting_is_named_with_its_value(string setting, string value, string shown)
    {
        var settings = GoodFeed();
        // The neighbours a rule needs to apply at all (a source, an account, a recipient, a user, a schedule).
        settings["Crm:WebLogs:Sources:0:Name"] = "site";
        settings["Crm:WebLogs:Sources:0:Folder"] = _folder;
        settings["Crm:Email:Imap:Accounts:0:Name"] = "sales";
        settings["Crm:Email:Imap:Accounts:0:Host"] = "127.0.0.1";
        settings["Crm:Email:Imap:Accounts:0:User"] = "sales";
        settings["Crm:Email:Imap:Accounts:0:Password"] = "x";
        settings["Crm:Reports:Smtp:Host"] = "127.0.0.1";
        settings["Crm:Reports:Recipients:0:Name"] = "Ann";
        settings["Crm:Reports:Recipients:0:Address"] = "ann@example.com";
        settings["Crm:Dashboard:Users:0:Name"] = "admin";
        settings["Crm:Dashboard:Users:0:PasswordHash"] = "pbkdf2-sha256$100000$c2FsdHNhbHRzYWx0c2FsdA==$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g=";
        settings["Crm:Dashboard:Users:0:Role"] = "admin";
        settings["Crm:Schedules:0:Name"] = "nightly";
        settings["Crm:Schedules:0:Job"] = "nightly";
        settings["Crm:Schedules:0:Cron"] = "0 0 2 * * ?";
        settings["Crm:Schedules:0:TimeZone"] = "Europe/Berlin";
        Assert.Empty(Validate(settings));

        settings[setting] = value;
        var failures = Validate(settings);
        var failure = Assert.Single(failures);
        // The path as written in crm.json (the last segment may be reworded, e.g. Columns:order_dat).
        Assert.Contains(setting, failure, StringComparison.Ordinal);
        Assert.Contains(shown, failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_failure_is_listed_at_once()
    {
        var settings = GoodFeed();
        settings["Crm:Orders:Feeds:0:TimeZone"] = "Europe/Berlinn";
        settings["Crm:Clv:HorizonDays"] = "0";
        settings["Crm:Segments:Clusters"] = "1";
        var failures = Validate(settings);
        Assert.Equal(3, failures.Count);
        Assert.Contains(failures, f => f.Contains("Crm:Orders:Feeds:0:TimeZone", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("Crm:Clv:HorizonDays", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("Crm:Segments:Clusters", StringComparison.Ordinal));
    }
}
