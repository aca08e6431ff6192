using Crm.Pipeline;
using Crm.Pipeline.Warehouse;
using Crm.Worker.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Crm.Worker.Settings;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Crm.Worker.Commands;

/// <summary>
/// What a one-off command needs: configuration, the warehouse (configured or embedded),
/// migrated, and a service provider with the pipeline registered.
/// </summary>
internal sealed class CommandHost : IAsyncDisposable
{
    private readonly Hosting.Warehouse _warehouse;
    private readonly ServiceProvider _services;

    private CommandHost(IConfigurationRoot configuration, Hosting.Warehouse warehouse, ServiceProvider services)
    {
        Configuration = configuration;
        _warehouse = warehouse;
        _services = services;
    }

    /// <summary>The merged configuration.</summary>
    public IConfigurationRoot Configuration { get; }

    /// <summary>The pipeline's services.</summary>
    public IServiceProvider Services => _services;

    /// <summary>The warehouse data source.</summary>
    public NpgsqlDataSource DataSource => _services.GetRequiredService<NpgsqlDataSource>();

    /// <summary>The resolved warehouse.</summary>
    public Hosting.Warehouse Warehouse => _warehouse;

    /// <summary>
    /// Builds configuration (plus <paramref name="configFiles"/> and in-memory <paramref name="overrides"/>),
    /// resolves the warehouse and, unless told otherwise, applies pending migrations.
    /// </summary>
    public static async Task<CommandHost> StartAsync(
        IEnumerable<string>? configFiles, CancellationToken cancellationToken,
        IDictionary<string, string?>? overrides = null, bool migrate = true, Stream? extraJson = null)
    {
        var configuration = CrmConfiguration.Build(configFiles, overrides, extraJson);
        // Every setting is checked before the warehouse starts, all failures at once (as ValidateOnStart does for the service).
        CrmSettings.ThrowIfInvalid(configuration);
        var warehouse = await Hosting.Warehouse.ResolveAsync(configuration, cancellationToken).ConfigureAwait(false);
        try
        {
            var services = new ServiceCollection();
            services.AddSingleton<IConfiguration>(configuration);
            services.AddLogging(l => CrmLogging.Configure(l, configuration, LogLevel.Warning));
            services.AddSingleton(_ => NpgsqlDataSource.Create(warehouse.ConnectionString));
            services.AddSingleton(new Pipeline.Backup.WarehouseConnection(warehouse.ConnectionString));
            services.AddCrmPipeline(configuration);
            var provider = services.BuildServiceProvider();
            var host = new CommandHost(configuration, warehouse, provider);
            if (migrate)
            {
                await new Migrator(host.DataSource).MigrateAsync(cancellationToken).ConfigureAwait(false);
            }

            return host;
        }
        catch
        {
            await warehouse.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync().ConfigureAwait(false);
        await _warehouse.DisposeAsync().ConfigureAwait(false);
    }
}
