using System.Net;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Crm.Dashboard.Security;

/// <summary>
/// The dashboard's defences in one place: believed proxies, cookie flags, security headers, malformed
/// request refusal, login throttling and <c>/metrics</c> access. <c>DashboardApp</c> calls both methods.
/// </summary>
public static class DashboardSecurity
{
    /// <summary>Registers the settings (validated at start), the throttle, forwarded headers and cookie policies.</summary>
    public static IServiceCollection AddDashboardSecurity(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<DashboardSecurityOptions>().Bind(configuration.GetSection("Crm:Dashboard")).ValidateOnStart();
        services.AddSingleton<IValidateOptions<DashboardSecurityOptions>, DashboardSecurityOptionsValidator>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<LoginThrottle>();
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<DashboardSecurityOptions>>((forwarded, security) =>
        {
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            var proxies = security.Value.KnownProxies;
            var networks = security.Value.KnownNetworks;
            if (proxies.Count + networks.Count == 0)
            {
                return; // the framework's default: loopback (127.0.0.0/8, ::1)
            }

            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            foreach (var proxy in proxies)
            {
                forwarded.KnownProxies.Add(IPAddress.Parse(proxy));
            }

            foreach (var network in networks)
            {
                forwarded.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
            }
        });

        // Secure whenever the request is HTTPS, directly or as a known proxy reports it.
        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "crm.antiforgery";
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.HttpOnly = true;
        });
        services.PostConfigure<CookieAuthenticationOptions>(CookieAuthenticationDefaults.AuthenticationScheme, o => o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest);
        return services;
    }

    /// <summary>Adds, in order: forwarded headers, security headers, malformed-request refusal, authentication, authorization, <c>/metrics</c> access.</summary>
    public static WebApplication UseDashboardSecurity(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseForwardedHeaders();
        app.UseMiddleware<SecurityHeaders>();
        app.UseMiddleware<RequestGuard>();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseMiddleware<MetricsAccess>();
        return app;
    }
}
