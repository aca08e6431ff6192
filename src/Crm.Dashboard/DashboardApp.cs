using Crm.Dashboard.Auth;
using Crm.Dashboard.Hangfire;
using Crm.Dashboard.Health;
using Crm.Dashboard.Security;
using Prometheus;
using Crm.Pipeline;
using Hangfire;
using Hangfire.Dashboard;
using Hangfire.PostgreSql;
using Microsoft.AspNetCore.Authentication.Cookies;
using Npgsql;

namespace Crm.Dashboard;

/// <summary>
/// The dashboard web application: the Hangfire dashboard at <c>/hangfire</c> behind a cookie login,
/// roles from configuration (admin may act, viewer may only look), health endpoints.
/// </summary>
public static class DashboardApp
{
    /// <summary>Builds the app. Settings as for the worker, plus <c>Crm:Dashboard</c>; listens on 127.0.0.1:5080 unless <c>--urls</c> says otherwise.</summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddJsonFile(Path.Combine(Directory.GetCurrentDirectory(), "crm.json"), optional: true);
        builder.Configuration.AddEnvironmentVariables();
        builder.Configuration.AddCommandLine(args);
        configure?.Invoke(builder);
        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["ASPNETCORE_URLS"]))
        {
            builder.WebHost.UseUrls("http://127.0.0.1:5080");
        }

        var connectionString = ResolveConnectionString(builder.Configuration);
        builder.Services.AddSingleton(_ => NpgsqlDataSource.Create(connectionString));
        builder.Services.AddCrmPipeline(builder.Configuration);
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
        builder.Services.AddHangfire(g => g
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UseFilter(new Crm.Pipeline.Ops.JobExpirationFilter(builder.Configuration.GetValue("Crm:Retention:HangfireJobDays", new Crm.Pipeline.Ops.RetentionOptions().HangfireJobDays)))
            .UsePostgreSqlStorage(o => o.UseNpgsqlConnection(connectionString), new PostgreSqlStorageOptions
            {
                SchemaName = "hangfire",
                PrepareSchemaIfNecessary = true,
                UseSlidingInvisibilityTimeout = true,
            }));

        var app = builder.Build();
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

    /// <summary>
    /// The configured warehouse, or the embedded one the worker started (it leaves its connection in
    /// <c>{Crm:DataDirectory}/postgres/connection</c>, readable by the same user only).
    /// </summary>
    public static string ResolveConnectionString(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var configured = configuration.GetConnectionString("Warehouse");
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return configured;
        }

        var dataDirectory = configuration["Crm:DataDirectory"] is { Length: > 0 } d ? d : ".crm";
        var file = Path.Combine(Path.GetFullPath(dataDirectory), "postgres", "connection");
        if (File.Exists(file))
        {
            return File.ReadAllText(file).Trim();
        }

        throw new InvalidOperationException(
            $"No warehouse: set ConnectionStrings:Warehouse, or start the worker first (./crm serve) so its embedded PostgreSQL is running ({file} not found).");
    }
}
