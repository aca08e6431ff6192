namespace Crm.Synthetic;

/// <summary>User agents, crawlers, search terms and help articles of the synthetic shop.</summary>
internal static class WebVocabulary
{
    public const string ShopDomain = "shop.example";

    public static readonly string[] BrowserAgents =
    [
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.51",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Safari/605.1.15",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/123.0.0.0 Safari/537.36",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
        "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:124.0) Gecko/20100101 Firefox/124.0",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 16_7_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.82 Mobile Safari/537.36",
        "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36",
        "Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
    ];

    public static bool IsMobile(string agent) => agent.Contains("Mobile", StringComparison.Ordinal);

    /// <summary>Real crawler user agents (as listed by the crawler-user-agents project) with typical source networks.</summary>
    public static readonly (string Agent, string IpPrefix)[] Crawlers =
    [
        ("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "66.249.66."),
        ("Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.118 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "66.249.68."),
        ("Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm) Chrome/116.0.1938.76 Safari/537.36", "157.55.39."),
        ("Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)", "5.255.253."),
        ("Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)", "180.76.15."),
        ("Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)", "54.36.148."),
        ("Mozilla/5.0 (compatible; SemrushBot/7~bl; +http://www.semrush.com/bot.html)", "185.191.171."),
        ("DuckDuckBot/1.1; (+http://duckduckgo.com/duckduckbot.html)", "20.191.45."),
        ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/13.1.1 Safari/605.1.15 (Applebot/0.1; +http://www.apple.com/go/applebot)", "17.58.98."),
        ("facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)", "69.171.250."),
        ("Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.0; +https://openai.com/gptbot)", "20.171.207."),
        ("Mozilla/5.0 (compatible; PetalBot;+https://webmaster.petalsearch.com/site/petalbot)", "114.119.134."),
        ("curl/8.5.0", "203.0.113."),
        ("python-requests/2.31.0", "198.51.100."),
    ];

    public static readonly string[] SearchTerms =
    [
        "headphones", "usb c cable", "running shoes", "coffee grinder", "winter jacket", "yoga mat", "desk lamp",
        "kopfhörer", "laufschuhe", "café moulu", "chaussures de sport", "auriculares", "zapatillas", "lámpara",
        "gift card", "backpack", "water bottle", "phone case", "bluetooth speaker", "notebook",
    ];

    public static readonly string[] HelpArticles =
    [
        "shipping", "returns", "refund-status", "payment-methods", "track-order", "change-address", "cancel-order",
        "warranty", "size-guide", "contact", "account-delete", "gift-cards",
    ];

    public static readonly string[] Categories = ["electronics", "home", "sports", "fashion", "kitchen", "office", "outdoor", "gifts"];

    public static readonly string[] ExternalReferrers =
    [
        "https://www.google.com/", "https://www.google.de/", "https://www.bing.com/", "https://duckduckgo.com/",
        "https://www.facebook.com/", "https://t.co/", "https://www.instagram.com/", "https://news.ycombinator.com/",
    ];
}
