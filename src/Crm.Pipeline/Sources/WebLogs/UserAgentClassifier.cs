using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using YamlDotNet.Serialization;

namespace Crm.Pipeline.Sources.WebLogs;

/// <summary>
/// Classifies user agents with the community rules vendored in <c>Sources/WebLogs/Data</c>: the
/// uap-core regex set (browser, OS, device) and the crawler-user-agents list (bots). Regexes run
/// once per distinct user agent; results are cached, because a log repeats a few thousand agents
/// millions of times. Thread-safe.
/// </summary>
public sealed class UserAgentClassifier
{
    private const int MaxCacheEntries = 200_000;
    private static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(200);
    private static readonly Lazy<UserAgentClassifier> SharedInstance = new(() => new UserAgentClassifier(), LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly UaRule[] _browsers;
    private readonly UaRule[] _oses;
    private readonly UaRule[] _devices;
    private readonly Regex[] _crawlers;
    private readonly ConcurrentDictionary<string, UserAgentInfo> _cache = new(StringComparer.Ordinal);

    private UserAgentClassifier()
    {
        var yaml = ReadResource("Crm.WebLogs.uap-core.regexes.yaml");
        var document = new DeserializerBuilder().Build().Deserialize<Dictionary<string, List<Dictionary<string, string>>>>(yaml);
        var skipped = 0;
        _browsers = Rules(document["user_agent_parsers"], ref skipped);
        _oses = Rules(document["os_parsers"], ref skipped);
        _devices = Rules(document["device_parsers"], ref skipped);
        SkippedRules = skipped;

        using var json = JsonDocument.Parse(ReadResource("Crm.WebLogs.crawler-user-agents.json"));
        var crawlers = new List<Regex>();
        foreach (var entry in json.RootElement.EnumerateArray())
        {
            var pattern = entry.GetProperty("pattern").GetString();
            if (TryRegex(pattern, RegexOptions.None, out var regex))
            {
                crawlers.Add(regex);
            }
            else
            {
                SkippedRules++;
            }
        }

        _crawlers = [.. crawlers];
    }

    /// <summary>The process-wide instance (the rules take a moment to load; load them once).</summary>
    public static UserAgentClassifier Shared => SharedInstance.Value;

    /// <summary>Rules of the vendored data that .NET's regex engine refused (reported, not fatal).</summary>
    public int SkippedRules { get; }

    /// <summary>Number of crawler patterns in use.</summary>
    public int CrawlerPatterns => _crawlers.Length;

    /// <summary>Classifies <paramref name="userAgent"/> (null or empty → <see cref="UserAgentInfo.Unknown"/>).</summary>
    public UserAgentInfo Classify(string? userAgent)
    {
        if (string.IsNullOrEmpty(userAgent))
        {
            return UserAgentInfo.Unknown;
        }

        if (_cache.TryGetValue(userAgent, out var cached))
        {
            return cached;
        }

        var info = ClassifyUncached(userAgent);
        if (_cache.Count >= MaxCacheEntries)
        {
            _cache.Clear();
        }

        _cache.TryAdd(userAgent, info);
        return info;
    }

    /// <summary>True when the crawler-user-agents list matches <paramref name="userAgent"/>.</summary>
    public bool IsKnownCrawler(string userAgent)
    {
        foreach (var regex in _crawlers)
        {
            if (SafeIsMatch(regex, userAgent))
            {
                return true;
            }
        }

        return false;
    }

    private UserAgentInfo ClassifyUncached(string ua)
    {
        string browser = "Other", os = "Other", device = "Other";
        string? browserVersion = null, osVersion = null;
        if (FirstMatch(_browsers, ua) is { } b)
        {
            browser = Replace(b.Rule.Family, b.Match, 1) ?? "Other";
            browserVersion = Version(Replace(b.Rule.V1, b.Match, 2), Replace(b.Rule.V2, b.Match, 3));
        }

        if (FirstMatch(_oses, ua) is { } o)
        {
            os = Replace(o.Rule.Family, o.Match, 1) ?? "Other";
            osVersion = Version(Replace(o.Rule.V1, o.Match, 2), Replace(o.Rule.V2, o.Match, 3));
        }

        if (FirstMatch(_devices, ua) is { } d)
        {
            device = Replace(d.Rule.Family, d.Match, 1) ?? "Other";
        }

        var bot = device == "Spider" || IsKnownCrawler(ua);
        var type = bot ? "bot" : DeviceType(ua, device, os);
        return new UserAgentInfo(browser, browserVersion, os, osVersion, device, type, bot);
    }

    private static string DeviceType(string ua, string device, string os)
    {
        if (device.Contains("iPad", StringComparison.Ordinal) || ua.Contains("Tablet", StringComparison.OrdinalIgnoreCase)
            || (os == "Android" && !ua.Contains("Mobile", StringComparison.Ordinal)))
        {
            return "tablet";
        }

        if (ua.Contains("Mobi", StringComparison.Ordinal) || os is "iOS" or "Android" or "Windows Phone" or "BlackBerry OS")
        {
            return "mobile";
        }

        return "desktop";
    }

    private static (UaRule Rule, Match Match)? FirstMatch(UaRule[] rules, string ua)
    {
        foreach (var rule in rules)
        {
            try
            {
                var match = rule.Regex.Match(ua);
                if (match.Success)
                {
                    return (rule, match);
                }
            }
            catch (RegexMatchTimeoutException)
            {
                // A pathological agent against one rule: treat as no match and go on.
            }
        }

        return null;
    }

    /// <summary>uap-core semantics: a replacement may hold $1..$9; without one, take capture group <paramref name="group"/>.</summary>
    private static string? Replace(string? replacement, Match match, int group)
    {
        string? value;
        if (replacement is not null)
        {
            value = replacement;
            for (var g = 1; g <= 9 && value.Contains('$', StringComparison.Ordinal); g++)
            {
                value = value.Replace("$" + g, g < match.Groups.Count && match.Groups[g].Success ? match.Groups[g].Value : "", StringComparison.Ordinal);
            }
        }
        else
        {
            value = group < match.Groups.Count && match.Groups[group].Success ? match.Groups[group].Value : null;
        }

        value = value?.Trim();
        return string.IsNullOrEmpty(value) ? null : value;
    }

    private static string? Version(string? major, string? minor) =>
        major is null ? null : minor is null ? major : major + "." + minor;

    private static UaRule[] Rules(List<Dictionary<string, string>> entries, ref int skipped)
    {
        var rules = new List<UaRule>(entries.Count);
        foreach (var entry in entries)
        {
            var options = entry.TryGetValue("regex_flag", out var flag) && flag == "i" ? RegexOptions.IgnoreCase : RegexOptions.None;
            if (!TryRegex(entry.GetValueOrDefault("regex"), options, out var regex))
            {
                skipped++;
                continue;
            }

            rules.Add(new UaRule(
                regex,
                entry.GetValueOrDefault("family_replacement") ?? entry.GetValueOrDefault("os_replacement") ?? entry.GetValueOrDefault("device_replacement"),
                entry.GetValueOrDefault("v1_replacement") ?? entry.GetValueOrDefault("os_v1_replacement"),
                entry.GetValueOrDefault("v2_replacement") ?? entry.GetValueOrDefault("os_v2_replacement")));
        }

        return [.. rules];
    }

    private static bool TryRegex(string? pattern, RegexOptions options, out Regex regex)
    {
        regex = null!;
        if (string.IsNullOrEmpty(pattern))
        {
            return false;
        }

        try
        {
            regex = new Regex(pattern, options | RegexOptions.CultureInvariant, MatchTimeout);

            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static bool SafeIsMatch(Regex regex, string input)
    {
        try
        {
            return regex.IsMatch(input);
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }

    private static string ReadResource(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"Embedded resource '{name}' is missing from Crm.Pipeline; the build lost Sources/WebLogs/Data.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private sealed record UaRule(Regex Regex, string? Family, string? V1, string? V2);
}
