using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Crm.IntegrationTests.Infrastructure;

namespace Crm.IntegrationTests.Dashboard;

/// <summary>Plain HTTP helpers for the dashboard tests: a client that shows every Set-Cookie, the login form's token, a free port.</summary>
internal static partial class DashboardClient
{
    /// <summary>A client that follows no redirects and keeps cookies in <paramref name="cookies"/>.</summary>
    public static HttpClient Create(string baseUrl, out CookieContainer cookies)
    {
        cookies = new CookieContainer();
#pragma warning disable CA2000 // the client owns the handler
        var handler = new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = cookies, UseCookies = true };
#pragma warning restore CA2000
        return new HttpClient(handler, disposeHandler: true) { BaseAddress = new Uri(baseUrl) };
    }

    /// <summary>A client that handles no cookies itself, so a test can read raw Set-Cookie headers and send its own Cookie header.</summary>
    public static HttpClient CreateRaw(string baseUrl)
    {
#pragma warning disable CA2000 // the client owns the handler
        var handler = new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false };
#pragma warning restore CA2000
        return new HttpClient(handler, disposeHandler: true) { BaseAddress = new Uri(baseUrl) };
    }

    /// <summary>The hidden anti-forgery field of a page's form, HTML-decoded ("" when there is none).</summary>
    public static string FormToken(string html) => WebUtility.HtmlDecode(FormTokenPattern().Match(html).Groups[1].Value);

    /// <summary>Gets the login page and posts its form with the given fields (and the page's token unless <paramref name="withToken"/> is false).</summary>
    public static async Task<HttpResponseMessage> LoginAsync(HttpClient client, string user, string password, string returnUrl = "/hangfire", bool withToken = true, string? clientAddress = null)
    {
        using var get = new HttpRequestMessage(HttpMethod.Get, "/login");
        if (clientAddress is not null)
        {
            get.Headers.Add("X-Forwarded-For", clientAddress);
        }

        var page = await (await client.SendAsync(get)).Content.ReadAsStringAsync();
        var fields = new List<KeyValuePair<string, string>> { new("username", user), new("password", password), new("returnUrl", returnUrl) };
        if (withToken)
        {
            fields.Add(new("__RequestVerificationToken", FormToken(page)));
        }

        using var post = new HttpRequestMessage(HttpMethod.Post, "/login") { Content = new FormUrlEncodedContent(fields) };
        if (clientAddress is not null)
        {
            post.Headers.Add("X-Forwarded-For", clientAddress);
        }

        return await client.SendAsync(post);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex FormTokenPattern();
}
