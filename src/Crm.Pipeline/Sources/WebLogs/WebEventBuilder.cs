using System.Net;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;

namespace Crm.Pipeline.Sources.WebLogs;

/// <summary>
/// Turns a parsed hit into a warehouse row: splits path and query, reads UTM parameters and the
/// email tracking token, classifies the user agent (cached), applies the IP privacy mode and
/// derives the visitor key. One builder per file being read (not thread-safe).
/// </summary>
internal sealed partial class WebEventBuilder
{
    private static readonly string[] AssetExtensions =
    [
        "css", "js", "mjs", "map", "png", "jpg", "jpeg", "gif", "svg", "ico", "webp", "avif", "bmp",
        "woff", "woff2", "ttf", "otf", "eot", "mp4", "webm", "mp3", "ogg", "json", "xml", "txt", "pdf", "zip", "gz",
    ];

    private readonly WebLogSourceOptions _source;
    private readonly UserAgentClassifier _classifier;
    private readonly Utf8StringPool _strings = new(1 << 15, 2048);
    private readonly Utf8StringPool _paths = new(1 << 16, 512);
    private readonly Utf8StringPool _ips = new(1 << 14, 64);
    private readonly Utf8StringPool _rawHosts = new(1 << 14, 64);
    private readonly VisitorSlot[] _visitorKeys = new VisitorSlot[1 << 14];
    private readonly AgentSlot[] _agents = new AgentSlot[1 << 12];
    private readonly Func<string, string> _ipTransform;
    private readonly byte[] _siteBytes;
    private readonly byte[] _trackingName;
    private readonly byte[]? _userIdQueryName;
    private readonly byte[]? _visitorCookie;
    private readonly byte[]? _userIdCookie;
    private readonly string[] _conversionPaths;
    private readonly string _keyPrefix;
    private readonly byte[]? _salt;

    public WebEventBuilder(WebLogSourceOptions source, UserAgentClassifier classifier)
    {
        _source = source;
        _classifier = classifier;
        _siteBytes = Encoding.UTF8.GetBytes(source.Name);
        _trackingName = Encoding.UTF8.GetBytes(source.TrackingParameter);
        _userIdQueryName = string.IsNullOrEmpty(source.UserIdQueryParameter) ? null : Encoding.UTF8.GetBytes(source.UserIdQueryParameter);
        _visitorCookie = string.IsNullOrEmpty(source.VisitorCookie) ? null : Encoding.UTF8.GetBytes(source.VisitorCookie);
        _userIdCookie = string.IsNullOrEmpty(source.UserIdCookie) ? null : Encoding.UTF8.GetBytes(source.UserIdCookie);
        _conversionPaths = [.. source.ConversionPaths];
        _keyPrefix = source.Name + ":";
        _salt = string.IsNullOrEmpty(source.IpSalt) ? null : Encoding.UTF8.GetBytes(source.IpSalt);
        _ipTransform = source.IpPrivacy switch
        {
            "keep" => static ip => ip,
            "hash" => HashIp,
            _ => TruncateIp,
        };
    }

    public WebEventRow Build(ReadOnlySpan<byte> line, WebHit hit, long byteOffset)
    {
        var src = hit.Source(line);
        var row = new WebEventRow
        {
            // PostgreSQL keeps microseconds; truncate here so sessions built in memory match the stored hits.
            EventTs = new DateTime(hit.TimestampUtcTicks - (hit.TimestampUtcTicks % 10), DateTimeKind.Utc),
            ByteOffset = byteOffset,
            Status = (short)hit.Status,
            Bytes = hit.Bytes < 0 ? null : hit.Bytes,
        };
        var host = WebHit.Get(src, hit.Host);
        var ua = WebHit.Get(src, hit.UserAgent);
        row.ClientIp = hit.Host.IsPresent ? _ips.Get(host, _ipTransform) : null;
        row.Method = hit.Method.IsPresent ? _strings.Get(WebHit.Get(src, hit.Method)) : null;
        row.Referrer = hit.Referer.IsPresent ? _strings.Get(WebHit.Get(src, hit.Referer)) : null;
        row.UserAgent = hit.UserAgent.IsPresent ? _strings.Get(ua) : null;
        row.Agent = Classify(row.UserAgent);

        var target = WebHit.Get(src, hit.Target);
        var query = hit.Query.IsPresent ? WebHit.Get(src, hit.Query) : default;
        var q = target.IndexOf((byte)'?');
        var path = target;
        if (q >= 0)
        {
            path = target[..q];
            if (!hit.Query.IsPresent)
            {
                query = target[(q + 1)..];
            }
        }

        row.Path = hit.Target.IsPresent ? _paths.Get(path) : null;
        if (!query.IsEmpty)
        {
            row.Query = Encoding.UTF8.GetString(query);
            ReadQuery(query, row);
        }

        row.IsAsset = IsAsset(path);
        var isRobots = path.SequenceEqual("/robots.txt"u8);
        row.IsPage = !row.IsAsset && !isRobots && hit.Status < 400 && row.Path is not null;
        if (_conversionPaths.Length > 0 && row.Path is not null && hit.Status < 400)
        {
            foreach (var prefix in _conversionPaths)
            {
                if (row.Path.StartsWith(prefix, StringComparison.Ordinal))
                {
                    row.IsConversion = true;
                    break;
                }
            }
        }

        // User id: the log's %u, else a cookie, else a query field.
        if (hit.User.IsPresent)
        {
            row.UserId = _strings.Get(WebHit.Get(src, hit.User));
        }

        string? visitorCookie = hit.VisitorCookie.IsPresent ? _strings.Get(WebHit.Get(src, hit.VisitorCookie)) : null;
        if (hit.Cookie.IsPresent)
        {
            var cookie = WebHit.Get(src, hit.Cookie);
            if (row.UserId is null && _userIdCookie is not null && CookieValue(cookie, _userIdCookie) is { IsEmpty: false } uid)
            {
                row.UserId = _strings.Get(uid);
            }

            if (visitorCookie is null && _visitorCookie is not null && CookieValue(cookie, _visitorCookie) is { IsEmpty: false } vid)
            {
                visitorCookie = _strings.Get(vid);
            }
        }

        row.VisitorKey = visitorCookie is not null ? _keyPrefix + "c:" + visitorCookie
            : row.UserId is not null ? _keyPrefix + "u:" + row.UserId
            : AnonymousKey(host, ua, row.UserAgent);
        return row;
    }

    /// <summary>
    /// The classifier's answer for a pooled user-agent string, remembered by reference: the pool hands
    /// out one instance per distinct agent, so this skips hashing the (long) agent on every line.
    /// </summary>
    private UserAgentInfo Classify(string? userAgent)
    {
        if (userAgent is null)
        {
            return _classifier.Classify(null);
        }

        ref var slot = ref _agents[RuntimeHelpers.GetHashCode(userAgent) & (_agents.Length - 1)];
        if (!ReferenceEquals(slot.Agent, userAgent))
        {
            slot = new AgentSlot(userAgent, _classifier.Classify(userAgent));
        }

        return slot.Info;
    }

    /// <summary>
    /// The key of a visitor without cookie or user id: a hash of address and agent, remembered per
    /// (pooled address, pooled agent) pair, since a visitor's lines repeat the pair.
    /// </summary>
    private string AnonymousKey(ReadOnlySpan<byte> host, ReadOnlySpan<byte> ua, string? agent)
    {
        if (agent is null || host.Length > 64)
        {
            return _keyPrefix + "h:" + HashVisitor(host, ua);
        }

        var rawHost = _rawHosts.Get(host);
        ref var slot = ref _visitorKeys[(RuntimeHelpers.GetHashCode(rawHost) * 31 ^ RuntimeHelpers.GetHashCode(agent)) & (_visitorKeys.Length - 1)];
        if (!ReferenceEquals(slot.Host, rawHost) || !ReferenceEquals(slot.Agent, agent))
        {
            slot = new VisitorSlot(rawHost, agent, _keyPrefix + "h:" + HashVisitor(host, ua));
        }

        return slot.Key;
    }

    private readonly record struct VisitorSlot(string Host, string Agent, string Key);

    private readonly record struct AgentSlot(string Agent, UserAgentInfo Info);

    private void ReadQuery(ReadOnlySpan<byte> query, WebEventRow row)
    {
        while (!query.IsEmpty)
        {
            var amp = query.IndexOf((byte)'&');
            var pair = amp < 0 ? query : query[..amp];
            query = amp < 0 ? default : query[(amp + 1)..];
            var eq = pair.IndexOf((byte)'=');
            if (eq <= 0)
            {
                continue;
            }

            var name = pair[..eq];
            var value = pair[(eq + 1)..];
            if (value.IsEmpty)
            {
                continue;
            }

            if (name.StartsWith("utm_"u8))
            {
                var rest = name[4..];
                if (rest.SequenceEqual("source"u8))
                {
                    row.UtmSource = Decode(value);
                }
                else if (rest.SequenceEqual("medium"u8))
                {
                    row.UtmMedium = Decode(value);
                }
                else if (rest.SequenceEqual("campaign"u8))
                {
                    row.UtmCampaign = Decode(value);
                }
                else if (rest.SequenceEqual("term"u8))
                {
                    row.UtmTerm = Decode(value);
                }
                else if (rest.SequenceEqual("content"u8))
                {
                    row.UtmContent = Decode(value);
                }
            }
            else if (name.SequenceEqual("campaign"u8) && row.UtmCampaign is null)
            {
                row.UtmCampaign = Decode(value);
            }
            else if (name.SequenceEqual(_trackingName))
            {
                row.TrackingToken = Decode(value);
                row.TrackingEmail = TrackingToken.EmailOf(row.TrackingToken);
            }
            else if (_userIdQueryName is not null && name.SequenceEqual(_userIdQueryName) && row.UserId is null)
            {
                row.UserId = Decode(value);
            }
        }
    }

    /// <summary>Percent-decodes a query value (<c>+</c> is a space); invalid escapes stay as they are.</summary>
    internal static string Decode(ReadOnlySpan<byte> value)
    {
        var text = Encoding.UTF8.GetString(value).Replace('+', ' ');
        try
        {
            return Uri.UnescapeDataString(text);
        }
        catch (UriFormatException)
        {
            return text;
        }
    }

    private static ReadOnlySpan<byte> CookieValue(ReadOnlySpan<byte> cookie, ReadOnlySpan<byte> name)
    {
        while (!cookie.IsEmpty)
        {
            var semi = cookie.IndexOf((byte)';');
            var pair = (semi < 0 ? cookie : cookie[..semi]).Trim((byte)' ');
            cookie = semi < 0 ? default : cookie[(semi + 1)..];
            if (pair.Length > name.Length && pair[name.Length] == '=' && pair.StartsWith(name))
            {
                return pair[(name.Length + 1)..].Trim((byte)'"');
            }
        }

        return default;
    }

    private static bool IsAsset(ReadOnlySpan<byte> path)
    {
        var slash = path.LastIndexOf((byte)'/');
        var name = slash < 0 ? path : path[(slash + 1)..];
        var dot = name.LastIndexOf((byte)'.');
        if (dot < 0 || name.Length - dot - 1 is 0 or > 6)
        {
            return false;
        }

        Span<char> ext = stackalloc char[8];
        var e = name[(dot + 1)..];
        for (var i = 0; i < e.Length; i++)
        {
            ext[i] = (char)(e[i] | 0x20);
        }

        foreach (var candidate in AssetExtensions)
        {
            if (ext[..e.Length].SequenceEqual(candidate))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// A raw line with every IP address in it passed through the site's privacy mode (for quarantined
    /// lines, which keep their raw text). Rare path: a regex is fine.
    /// </summary>
    public string RedactIps(string text) =>
        _source.IpPrivacy == "keep" ? text : IpLike().Replace(text, m => IPAddress.TryParse(m.Value, out _) ? _ipTransform(m.Value) : m.Value);

    [System.Text.RegularExpressions.GeneratedRegex(@"(?<![0-9A-Za-z.:])(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?:\d{1,3}(?:\.\d{1,3}){3})?)(?![0-9A-Za-z.:])")]
    private static partial System.Text.RegularExpressions.Regex IpLike();

    /// <summary>The visitor hash: site, raw address and user agent (the raw address never leaves this hash).</summary>
    private string HashVisitor(ReadOnlySpan<byte> host, ReadOnlySpan<byte> ua)
    {
        var total = _siteBytes.Length + host.Length + ua.Length + 2;
        Span<byte> buffer = total <= 1024 ? stackalloc byte[total] : new byte[total];
        _siteBytes.CopyTo(buffer);
        var at = _siteBytes.Length;
        buffer[at++] = 0;
        host.CopyTo(buffer[at..]);
        at += host.Length;
        buffer[at++] = 0;
        ua.CopyTo(buffer[at..]);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(buffer, hash);
        return Convert.ToHexStringLower(hash[..12]);
    }

    private string HashIp(string ip)
    {
        var mac = HMACSHA256.HashData(_salt!, Encoding.UTF8.GetBytes(ip));
        return Convert.ToHexStringLower(mac.AsSpan(0, 16));
    }

    /// <summary>IPv4 → /24 (last octet 0), IPv6 → /48; anything else (a host name) is hashed away to its length-free form "x".</summary>
    internal static string TruncateIp(string ip)
    {
        if (!IPAddress.TryParse(ip, out var address))
        {
            return "unparsed";
        }

        var bytes = address.GetAddressBytes();
        if (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
        {
            bytes[3] = 0;
        }
        else
        {
            for (var i = 6; i < bytes.Length; i++)
            {
                bytes[i] = 0;
            }
        }

        return new IPAddress(bytes).ToString();
    }
}
