using System.Globalization;
using System.Text.Json;

namespace Crm.Synthetic;

/// <summary>
/// Phase 2 for web logs: one file per site and day (<c>weblogs/SITE/access.log-YYYYMMDD[.gz]</c>).
/// A day's lines are collected per site, sorted by time and written at the end of the day, so
/// memory holds one day of one company's traffic. Customer sessions come from the spool; anonymous
/// visitors and crawlers are added per day in proportion.
/// </summary>
internal sealed partial class WebRenderer : IDisposable
{
    internal const ulong StreamDay = 21;
    internal const ulong StreamFile = 22;
    private const int MaxEnormous = 3;

    private static readonly string[] FaultKinds = ["truncated", "garbage", "bad_encoding", "enormous_field", "truncated"];

    private readonly GeneratorOptions _o;
    private readonly string _root;
    private readonly TruthWriter _truth;
    private readonly SiteDay[] _sites;
    private readonly List<Request> _requests = new(32);
    private readonly List<FileEntry> _files = [];
    private readonly int _emptyDay;
    private readonly int[] _dayBase;
    private int _day;
    private DateTime _dayStart;
    private int _fileDay;
    private DateTime _fileStart;
    private int _sessionsToday;
    private int _enormous;

    public WebRenderer(GeneratorOptions options, string root, TruthWriter truth)
    {
        _o = options;
        _root = root;
        _truth = truth;
        _sites = new SiteDay[WebSite.All.Length];
        for (var i = 0; i < _sites.Length; i++)
        {
            _sites[i] = new SiteDay(WebSite.All[i]);
        }

        _dayBase = new int[_sites.Length];

        var rng = Prng.For(options.Seed, StreamFile, 0xE);
        _emptyDay = options.Days > 2 ? 1 + rng.Next(options.Days - 2) : -1;
    }

    public long Lines { get; private set; }

    public long Bytes { get; private set; }

    public void StartDay(int day, DateTime dayStartUtc)
    {
        _day = day;
        _dayStart = dayStartUtc;
        _sessionsToday = 0;
        // A file holds WebLogDaysPerFile days (logrotate's daily, weekly, monthly): a new one starts on
        // the first day of each window.
        if (day % _o.WebLogDaysPerFile == 0)
        {
            _fileDay = day;
            _fileStart = dayStartUtc;
            foreach (var s in _sites)
            {
                s.Clear();
            }
        }

        for (var i = 0; i < _sites.Length; i++)
        {
            _dayBase[i] = _sites[i].Entries.Count;
        }
    }

    /// <summary>The browsing and checkout that ends in <paramref name="order"/> at the event's time.</summary>
    public void Checkout(in SpoolEvent e, Person person, OrderInfo order)
    {
        var rng = Prng.For(e.Seed, 0xC4, 0);
        var site = Site(person.UserAgent);
        _requests.Clear();
        Add(rng.Chance(0.5) ? "/" : Product(order.Products[0]), 200, 0);
        for (var i = 0; i < order.Products.Count; i++)
        {
            var product = order.Products[i];
            if (i < 2)
            {
                Add(Product(product), 200, Gap(ref rng));
            }

            Add("/cart/add?sku=" + Catalog.Products[product].Sku, 302, Gap(ref rng), post: true);
        }

        Add("/cart", 200, Gap(ref rng));
        if (rng.Chance(0.6))
        {
            // Not logged in yet (the others still carry a session from an earlier visit).
            Add("/account/login?next=/checkout", 200, Gap(ref rng));
            Add("/account/login", 302, Gap(ref rng), post: true);
        }

        Add("/checkout", 200, Gap(ref rng));
        Add("/checkout/confirm?order=" + order.OrderId + "&uid=" + order.CustomerId, 200, Gap(ref rng), post: true);

        // The last request happens at the order's time; the session leads up to it.
        var total = 0.0;
        foreach (var r in _requests)
        {
            total += r.Gap;
        }

        var start = Math.Max(_dayStart.Ticks, e.Ticks - (long)(total * TimeSpan.TicksPerSecond));
        Emit(ref rng, site, start, person.Ip, person.UserAgent, person.VisitorId, rng.Chance(0.3) ? rng.Pick(WebVocabulary.ExternalReferrers) : null);
        _sessionsToday++;
    }

    /// <summary>A customer's session of the kind in the event.</summary>
    public void Session(in SpoolEvent e, Person person, Identity id)
    {
        var rng = Prng.For(e.Seed, 0x5E, 0);
        var kind = (SessionKind)e.Sub;
        string? token = kind == SessionKind.Landing ? Lifecycle.Token(_o.Seed, person.Index, e.Extra) : null;
        BuildSession(ref rng, kind, id.CustomerId, e.Extra, token);
        var site = kind == SessionKind.Help ? _sites[2] : Site(person.UserAgent);
        var referer = kind == SessionKind.Landing ? null : rng.Chance(0.4) ? rng.Pick(WebVocabulary.ExternalReferrers) : null;
        Emit(ref rng, site, e.Ticks, person.Ip, person.UserAgent, person.VisitorId, referer);
        _sessionsToday++;
    }

    private void BuildSession(ref Prng rng, SessionKind kind, string? customerId, int campaign, string? token)
    {
        _requests.Clear();
        switch (kind)
        {
            case SessionKind.Browse:
                Add("/", 200, 0);
                for (var n = 1 + rng.Next(5); n > 0; n--)
                {
                    Add(rng.Chance(0.35) ? "/c/" + rng.Pick(WebVocabulary.Categories) : Product(rng.Next(Catalog.Products.Length)), rng.Chance(0.03) ? 404 : 200, Gap(ref rng));
                }

                break;
            case SessionKind.Search:
                Add("/", 200, 0);
                Add("/search?q=" + Uri.EscapeDataString(rng.Pick(WebVocabulary.SearchTerms)).Replace("%20", "+", StringComparison.Ordinal), 200, Gap(ref rng));
                for (var n = rng.Next(4); n > 0; n--)
                {
                    Add(Product(rng.Next(Catalog.Products.Length)), 200, Gap(ref rng));
                }

                break;
            case SessionKind.Account:
                Add("/account/login", 200, 0);
                Add("/account/login", 302, Gap(ref rng), post: true);
                Add("/account?uid=" + customerId, 200, Gap(ref rng));
                if (rng.Chance(0.5))
                {
                    Add("/account/orders?uid=" + customerId, 200, Gap(ref rng));
                }

                break;
            case SessionKind.Help:
                Add("/", 200, 0);
                for (var n = 1 + rng.Next(3); n > 0; n--)
                {
                    Add("/help/" + rng.Pick(WebVocabulary.HelpArticles), 200, Gap(ref rng));
                }

                break;
            case SessionKind.Landing:
                var slug = CampaignSlug(campaign);
                Add("/landing/" + slug + "?utm_source=email&utm_medium=email&utm_campaign=" + slug + "&crm_tid=" + token, 200, 0);
                for (var n = rng.Next(4); n > 0; n--)
                {
                    Add(Product(rng.Next(Catalog.Products.Length)), 200, Gap(ref rng));
                }

                break;
        }
    }

    /// <summary>The campaign's name in URLs and subjects: season of its send date plus its number.</summary>
    public string CampaignSlug(int campaign)
    {
        var date = _o.Start.AddDays(3 + campaign * _o.CampaignEveryDays);
        return Seasons[date.Month - 1] + "-" + date.Year.ToString(CultureInfo.InvariantCulture) + "-c" + (campaign + 1).ToString(CultureInfo.InvariantCulture);
    }

    internal static readonly string[] Seasons =
    [
        "new-year-sale", "winter-clearance", "spring-collection", "easter-specials", "may-days", "summer-sale",
        "holiday-picks", "back-to-school", "autumn-deals", "halloween", "black-friday", "christmas-gifts",
    ];

    public void EndDay()
    {
        var rng = Prng.For(_o.Seed, StreamDay, (ulong)_day);
        // Anonymous visitors, in proportion to the customers' sessions.
        var anonymous = _o.AnonymousShare >= 1 ? 0 : rng.Poisson(_sessionsToday * _o.AnonymousShare / (1 - _o.AnonymousShare));
        for (var i = 0; i < anonymous; i++)
        {
            var roll = rng.NextDouble();
            var kind = roll < 0.55 ? SessionKind.Browse : roll < 0.85 ? SessionKind.Search : SessionKind.Help;
            BuildSession(ref rng, kind, null, 0, null);
            var agent = rng.Pick(WebVocabulary.BrowserAgents);
            var site = kind == SessionKind.Help ? _sites[2] : Site(agent);
            var ticks = _dayStart.Ticks + (long)(rng.NextDouble() * TimeSpan.TicksPerDay);
            Emit(ref rng, site, ticks - ticks % TimeSpan.TicksPerSecond, AnonymousIp(ref rng), agent, rng.Hex(16), rng.Chance(0.5) ? rng.Pick(WebVocabulary.ExternalReferrers) : null);
        }

        // Crawlers, in proportion to all human lines.
        var human = 0;
        for (var i = 0; i < _sites.Length; i++)
        {
            human += _sites[i].Entries.Count - _dayBase[i];
        }

        var bots = _o.BotShare >= 1 ? 0 : rng.Poisson(human * _o.BotShare / (1 - _o.BotShare));
        for (var i = 0; i < bots; i++)
        {
            var (agent, prefix) = WebVocabulary.Crawlers[rng.Next(WebVocabulary.Crawlers.Length)];
            var roll = rng.NextDouble();
            var site = roll < 0.75 ? _sites[0] : roll < 0.92 ? _sites[1] : _sites[2];
            var pathRoll = rng.NextDouble();
            var status = 200;
            string path;
            if (pathRoll < 0.1)
            {
                path = "/robots.txt";
            }
            else if (pathRoll < 0.15)
            {
                path = "/sitemap.xml";
            }
            else if (pathRoll < 0.65)
            {
                path = Product(rng.Next(Catalog.Products.Length));
            }
            else if (pathRoll < 0.85)
            {
                path = "/c/" + rng.Pick(WebVocabulary.Categories);
            }
            else
            {
                path = "/old/page-" + rng.Next(5000).ToString(CultureInfo.InvariantCulture) + ".html";
                status = rng.Chance(0.7) ? 404 : 301;
            }

            _requests.Clear();
            Add(path, status, 0);
            var ticks = _dayStart.Ticks + (long)(rng.NextDouble() * TimeSpan.TicksPerDay);
            Emit(ref rng, site, ticks - ticks % TimeSpan.TicksPerSecond, prefix + (1 + rng.Next(254)).ToString(CultureInfo.InvariantCulture), agent, "-", null);
        }

        if ((_day + 1) % _o.WebLogDaysPerFile != 0 && _day != _o.Days - 1)
        {
            return;
        }

        foreach (var s in _sites)
        {
            Flush(s);
        }
    }

    private static string AnonymousIp(ref Prng rng) => string.Create(CultureInfo.InvariantCulture,
        $"{(byte)(1 + rng.Next(222))}.{rng.Next(256)}.{rng.Next(256)}.{1 + rng.Next(254)}");

    private SiteDay Site(string agent) => WebVocabulary.IsMobile(agent) ? _sites[1] : _sites[0];

    private static string Product(int index)
    {
        var p = Catalog.Products[index];
        return "/p/" + p.Sku.ToLowerInvariant() + "-" + p.Slug;
    }

    private static double Gap(ref Prng rng) => 3 + rng.Exponential(1 / 35.0);

    private void Add(string path, int status, double gap, bool post = false) => _requests.Add(new Request(path, status, gap, post));

    private readonly record struct Request(string Path, int Status, double Gap, bool Post);

    private sealed record FileEntry(string File, string Site, string Host, string Format, string TimeZone, long Lines);

    public void Finish()
    {
        var doc = new
        {
            formats = new SortedDictionary<string, string>(StringComparer.Ordinal)
            {
                ["combined"] = "Apache/Nginx combined: LogFormat \"" + WebSite.CombinedFormat + "\" (nginx's predefined 'combined' writes the same); times are local with their offset",
                ["nginx_custom"] = WebSite.NginxCustomFormat,
                ["w3c"] = "W3C extended log file format as IIS writes it: #Software/#Version/#Date/#Fields headers (repeated after a restart), space-separated fields, '+' for spaces in the user agent, '-' for empty, UTC. Fields: " + WebSite.W3CFields,
            },
            files = _files.Select(f => new { file = f.File, site = f.Site, host = f.Host, format = f.Format, time_zone = f.TimeZone, lines = f.Lines }).ToList(),
        };
        var json = JsonSerializer.Serialize(doc, new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        Directory.CreateDirectory(Path.Combine(_root, "weblogs"));
        File.WriteAllText(Path.Combine(_root, "weblogs", "formats.json"), json.ReplaceLineEndings("\n") + "\n");
    }

    public void Dispose()
    {
    }
}
