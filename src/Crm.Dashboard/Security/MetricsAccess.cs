using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace Crm.Dashboard.Security;

/// <summary>
/// Lets a request read <c>/metrics</c> when it comes from a signed-in dashboard user, carries the
/// configured bearer token, or may come anonymously (<see cref="MetricsAccessOptions.Anonymous"/>);
/// everyone else gets 401. Runs after authentication.
/// </summary>
internal sealed class MetricsAccess
{
    private readonly RequestDelegate _next;
    private readonly IOptionsMonitor<DashboardSecurityOptions> _options;
    private readonly IServer _server;
    private readonly ILogger<MetricsAccess> _logger;

    public MetricsAccess(RequestDelegate next, IOptionsMonitor<DashboardSecurityOptions> options, IServer server, ILogger<MetricsAccess> logger)
    {
        _next = next;
        _options = options;
        _server = server;
        _logger = logger;
    }

    public async Task InvokeAsync(HttpContext http)
    {
        if (!http.Request.Path.StartsWithSegments("/metrics") || Allowed(http))
        {
            await _next(http).ConfigureAwait(false);
            return;
        }

        SecurityLog.MetricsRefused(_logger, SecurityLog.ClientAddress(http));
        http.Response.StatusCode = StatusCodes.Status401Unauthorized;
        http.Response.Headers.WWWAuthenticate = "Bearer realm=\"crm-metrics\"";
        http.Response.ContentType = "text/plain; charset=utf-8";
        await http.Response.WriteAsync(
            "Sign in to the dashboard, or send the token of Crm:Dashboard:Metrics:BearerToken as 'Authorization: Bearer …'.\n",
            http.RequestAborted).ConfigureAwait(false);
    }

    private bool Allowed(HttpContext http)
    {
        var settings = _options.CurrentValue.Metrics;
        if (http.User.Identity?.IsAuthenticated == true || HasToken(http, settings.BearerToken))
        {
            return true;
        }

        return settings.Anonymous switch
        {
            "always" => true,
            "never" => false,
            // A client behind a known proxy arrives with its own (forwarded) address, so it is not loopback.
            _ => http.Connection.RemoteIpAddress is { } remote && IPAddress.IsLoopback(remote) && ListensOnLoopbackOnly(),
        };
    }

    private static bool HasToken(HttpContext http, string? expected)
    {
        var header = http.Request.Headers.Authorization.ToString();
        if (string.IsNullOrEmpty(expected) || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(header["Bearer ".Length..].Trim())),
            SHA256.HashData(Encoding.UTF8.GetBytes(expected)));
    }

    private bool ListensOnLoopbackOnly()
    {
        var addresses = _server.Features.Get<IServerAddressesFeature>()?.Addresses;
        return addresses is { Count: > 0 } && addresses.All(IsLoopbackAddress);
    }

    /// <summary>Whether a listening address such as <c>http://127.0.0.1:5080</c> is reachable from this machine only.</summary>
    internal static bool IsLoopbackAddress(string address)
    {
        if (!Uri.TryCreate(address.Replace("://*", "://wildcard", StringComparison.Ordinal).Replace("://+", "://wildcard", StringComparison.Ordinal), UriKind.Absolute, out var uri))
        {
            return false;
        }

        return uri.IsLoopback && (string.Equals(uri.Host, "localhost", StringComparison.OrdinalIgnoreCase) || IPAddress.TryParse(uri.Host.Trim('[', ']'), out _));
    }
}
