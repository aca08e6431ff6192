using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Crm.IntegrationTests.Infrastructure;

/// <summary>
/// The one way tests pick a loopback port for a server they start (PostgreSQL is the service's own code):
/// the kernel names a free one, and no port is handed out twice in a run, so test classes running in
/// parallel never race for the same port between asking and binding.
/// </summary>
public static class FreePort
{
    private static readonly ConcurrentDictionary<int, bool> Given = new();

    /// <summary>A loopback port nothing listens on now and that no other test of this run was given.</summary>
    public static int Next()
    {
        while (true)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            if (Given.TryAdd(port, true))
            {
                return port;
            }
        }
    }
}
