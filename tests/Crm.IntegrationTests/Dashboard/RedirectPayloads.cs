namespace Crm.IntegrationTests.Dashboard;

/// <summary>
/// <c>returnUrl</c> values for the login form. <see cref="Hostile"/> would leave the site in some browser
/// or proxy (directly, after the browser drops tab/CR/LF, or after one or two rounds of percent-decoding);
/// the dashboard must send each to its own start page instead. <see cref="Safe"/> are paths on the site,
/// kept as given. <c>{evil}</c> stands for another origin's host and port.
/// </summary>
internal static class RedirectPayloads
{
    public static readonly string[] Hostile =
    [
        "/\t/{evil}/pwned",            // the reported one: Chromium strips the tab, leaving //host
        "/\r\n/{evil}/pwned",
        "/\n/{evil}/pwned",
        "/\r/{evil}/pwned",
        "//{evil}/pwned",
        "///{evil}/pwned",
        "/\\{evil}/pwned",
        "\\\\{evil}/pwned",
        "/\\/{evil}/pwned",
        "http://{evil}/pwned",
        "https://{evil}/pwned",
        "HTTP://{evil}/pwned",
        "javascript:alert(1)",
        "{evil}/pwned",
        " //{evil}/pwned",
        "\t//{evil}/pwned",
        "\u0000//{evil}/pwned",
        "/%2F{evil}/pwned",
        "/%2f/{evil}/pwned",
        "%2F%2F{evil}/pwned",
        "/%5C{evil}/pwned",
        "/%5c%5c{evil}/pwned",
        "/%09/{evil}/pwned",
        "/%0D%0A/{evil}/pwned",
        "/%252F%252F{evil}/pwned",     // double-encoded //
        "/hangfire\r\nSet-Cookie: crm.auth=x",
        "/%0d%0aLocation:%20http://{evil}/",
        "/\u2028/{evil}/pwned",
        "/\u00a0/{evil}/pwned",
    ];

    public static readonly string[] Safe =
    [
        "/hangfire",
        "/hangfire/jobs/enqueued?from=10&count=20",
        "/hangfire/identity?q=ada%40example.org",
        "/hangfire/runs",
    ];
}
