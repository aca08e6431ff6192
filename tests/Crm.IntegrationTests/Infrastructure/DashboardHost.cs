using Crm.Dashboard.Auth;
using Crm.Worker.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace Crm.IntegrationTests.Infrastructure;

/// <summary>
/// The dashboard alone (<c>crm dashboard</c>) in the test process on a free loopback port, optionally with a worker
/// node beside it on the same settings (the node that runs and fires jobs); disposing stops both.
/// </summary>
public sealed class DashboardHost : IAsyncDisposable
{
    /// <summary>The admin user of <see cref="Settings"/>.</summary>
    public const string Admin = "ada";

    /// <summary>The admin's password.</summary>
    public const string AdminPassword = "admin-pass";

    /// <summary>The viewer user of <see cref="Settings"/>.</summary>
    public const string Viewer = "vic";

    /// <summary>The viewer's password.</summary>
    public const string ViewerPassword = "viewer-pass";

    private readonly IHost? _worker;

    private DashboardHost(WebApplication app, IHost? worker, string baseUrl, string connectionString)
    {
        App = app;
        _worker = worker;
        BaseUrl = baseUrl;
        ConnectionString = connectionString;
    }

    /// <summary>The running dashboard.</summary>
    public WebApplication App { get; }

    /// <summary>Where it listens, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public string BaseUrl { get; }

    /// <summary>The warehouse it reads.</summary>
    public string ConnectionString { get; }

    /// <summary>
    /// Settings of a dashboard on <paramref name="connectionString"/> with an admin (<see cref="Admin"/>) and a viewer
    /// (<see cref="Viewer"/>), logging warnings only; a test adds its own keys to the dictionary.
    /// </summary>
    public static Dictionary<string, string?> Settings(string connectionString) => new()
    {
        ["ConnectionStrings:Warehouse"] = connectionString,
        ["Crm:Dashboard:Users:0:Name"] = Admin,
        ["Crm:Dashboard:Users:0:PasswordHash"] = PasswordHash.Create(AdminPassword),
        ["Crm:Dashboard:Users:0:Role"] = "admin",
        ["Crm:Dashboard:Users:1:Name"] = Viewer,
        ["Crm:Dashboard:Users:1:PasswordHash"] = PasswordHash.Create(ViewerPassword),
        ["Crm:Dashboard:Users:1:Role"] = "viewer",
        ["Logging:LogLevel:Default"] = "Warning",
    };

    /// <summary>The settings plus where the dashboard listens.</summary>
    public static IConfiguration Configuration(IReadOnlyDictionary<string, string?> settings, string url) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings).AddInMemoryCollection([new("urls", url)]).Build();

    /// <summary>
    /// Starts the dashboard on a new migrated database of <paramref name="cluster"/> with <see cref="Settings"/>, to which
    /// <paramref name="settings"/> may add; see <see cref="StartAsync(string, IReadOnlyDictionary{string, string}, string, Action{WebApplicationBuilder})"/>.
    /// </summary>
    public static async Task<DashboardHost> StartAsync(
        PostgresCluster cluster, string database, Action<Dictionary<string, string?>>? settings = null, string? workerNode = null,
        Action<WebApplicationBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        var connectionString = await cluster.CreateMigratedConnectionStringAsync(database);
        var all = Settings(connectionString);
        settings?.Invoke(all);
        return await StartAsync(connectionString, all, workerNode, configure);
    }

    /// <summary>
    /// Starts the dashboard on <paramref name="settings"/> (see <see cref="Settings"/>) and, with <paramref name="workerNode"/>,
    /// a worker node of that name first; <paramref name="configure"/> may add to the dashboard's builder (a clock, a log sink).
    /// </summary>
    public static async Task<DashboardHost> StartAsync(
        string connectionString, IReadOnlyDictionary<string, string?> settings, string? workerNode = null, Action<WebApplicationBuilder>? configure = null)
    {
        IHost? worker = null;
        if (workerNode is not null)
        {
            worker = ServiceHost.Build(new ConfigurationBuilder().AddInMemoryCollection(settings).Build(), connectionString, workerNode);
            await worker.StartAsync();
        }

        var baseUrl = $"http://127.0.0.1:{FreePort.Next()}";
        var app = ServiceHost.BuildDashboard(Configuration(settings, baseUrl), connectionString, configure);
        await app.StartAsync();
        return new DashboardHost(app, worker, baseUrl, connectionString);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        if (_worker is not null)
        {
            await _worker.StopAsync();
            _worker.Dispose();
        }
    }
}
