using Crm.Dashboard.Auth;
using Crm.Dashboard.Hangfire;
using Crm.Dashboard.Health;
using Crm.Dashboard.Security;
using Prometheus;
using Crm.Pipeline;
using Hangfire;
using Hangfire.Dashboard;
using Microsoft.AspNetCore.Authentication.Cookies;
using Npgsql;

namespace Crm.Dashboard;

/// <summary>
/// The dashboard web application: the Hangfire dashboard at <c>/hangfire</c> behind a cookie login,
/// roles from configuration (admin may act, viewer may only look), health endpoints. It is hosted by the
/// <c>crm</c> command (<c>crm serve</c> beside the worker, <c>crm dashboard</c> alone), which builds the
/// configuration, logging, the warehouse and Hangfire's storage the same way for both.
/// </summary>
public static class DashboardApp
{
    /// <summary>Where the dashboard listens unless <c>urls</c> (<c>ASPNETCORE_URLS</c>) says otherwise.</summary>
    public const string DefaultUrl = "http://127.0.0.1:5080";

    /// <summary>
    /// Registers the dashboard's own services (login, roles, anti-forgery) on a host that already has the
    /// warehouse (<see cref="NpgsqlDataSource"/>), the pipeline and Hangfire's storage, plus <c>Crm:Dashboard</c>.
    /// </summary>
    public static WebApplicationBuilder AddCrmDashboard(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<CrmDashboardOptions>().Bind(builder.Configuration.GetSection("Crm:Dashboard")).ValidateOnStart();
        builder.Services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<CrmDashboardOptions>, CrmDashboardOptionsValidator>();
        builder.Services.AddDashboardSecurity(builder.Configuration);
        builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(o =>
            {
                o.LoginPath = "/login";
                o.Cookie.Name = "crm.auth";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.ExpireTimeSpan = TimeSpan.FromHours(8);
                o.SlidingExpiration = true;
            });
        builder.Services.AddAuthorization();
        return builder;
    }

    /// <summary>The dashboard's middleware and endpoints: login, <c>/hangfire</c>, the pipeline pages, health and metrics.</summary>
    public static WebApplication UseCrmDashboard(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        DashboardSetup.Register();
        app.UseDashboardSecurity();

        // Anonymous visitors of the dashboard go to the login page; viewers may look but never act.
        app.Use(async (http, next) =>
        {
            if (http.Request.Path.StartsWithSegments("/hangfire"))
            {
                if (http.User.Identity?.IsAuthenticated != true)
                {
                    http.Response.Redirect("/login?returnUrl=" + Uri.EscapeDataString(http.Request.Path + http.Request.QueryString));
                    return;
                }

                if (HttpMethods.IsPost(http.Request.Method) && !http.User.IsInRole(Roles.Admin)
                    && !http.Request.Path.StartsWithSegments("/hangfire/stats"))
                {
                    http.Response.StatusCode = StatusCodes.Status403Forbidden;
                    return;
                }
            }

            await next(http).ConfigureAwait(false);
        });

        app.MapLogin();
        app.MapGet("/", () => Results.Redirect("/hangfire"));
        app.MapHealth();
        var metrics = new WarehouseMetrics(app.Services);
        app.MapMetrics("/metrics", metrics.Registry);
        app.UseHangfireDashboard("/hangfire", new DashboardOptions
        {
            Authorization = [new SignedInAuthorizationFilter()],
            IsReadOnlyFunc = context => !context.GetHttpContext().User.IsInRole(Roles.Admin),
            DashboardTitle = "Crm jobs",
            AppPath = null,
            DisplayStorageConnectionString = false,
        });
        return app;
    }
}
