using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;

namespace Crm.Worker.Hosting;

/// <summary>
/// The systemd service protocol for the <c>Type=notify</c> units in <c>deploy/systemd</c>: <c>READY=1</c> once the
/// host has started, <c>STOPPING=1</c> when it begins to stop, SIGTERM stops it.
/// </summary>
public static class Systemd
{
    /// <summary>
    /// .NET's own <c>AddSystemd</c> turns the protocol on only when the parent process is systemd; here it is also on
    /// whenever <c>NOTIFY_SOCKET</c> names a socket, as sd_notify(3) specifies, so another supervisor (or a test)
    /// gets the same messages.
    /// </summary>
    public static void Add(IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSystemd();
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NOTIFY_SOCKET")))
        {
            services.TryAddSingleton<ISystemdNotifier, SystemdNotifier>();
            services.Replace(ServiceDescriptor.Singleton<IHostLifetime, SystemdLifetime>());
        }
    }
}
