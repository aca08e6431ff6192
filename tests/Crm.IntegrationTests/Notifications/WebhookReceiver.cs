using System.Net;
using System.Text;
using System.Text.Json;
using Crm.IntegrationTests.Infrastructure;

namespace Crm.IntegrationTests.Notifications;

/// <summary>
/// A webhook endpoint on loopback (System.Net.HttpListener), as a chat service's incoming webhook: it keeps every
/// JSON body it accepts, and refuses the first <c>refuseFirst</c> requests with 503 so a retry can be seen.
/// </summary>
internal sealed class WebhookReceiver : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly List<JsonElement> _accepted = [];
    private readonly Task _loop;
    private int _refuse;
    private int _requests;

    public WebhookReceiver(int refuseFirst = 0)
    {
        _refuse = refuseFirst;
        Port = FreePort.Next();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public int Port { get; }

    /// <summary>The URL to configure, with a path that stands for a secret token.</summary>
    public string Url => $"http://127.0.0.1:{Port}/hooks/T0KEN-SECRET";

    /// <summary>Requests seen, refused ones included.</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Bodies accepted (answered 200), oldest first.</summary>
    public IReadOnlyList<JsonElement> Accepted()
    {
        lock (_accepted)
        {
            return [.. _accepted];
        }
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
    }

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            Interlocked.Increment(ref _requests);
            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            if (Interlocked.Decrement(ref _refuse) >= 0)
            {
                context.Response.StatusCode = 503;
            }
            else if (context.Request.HttpMethod != "POST" || context.Request.ContentType?.StartsWith("application/json", StringComparison.Ordinal) != true)
            {
                context.Response.StatusCode = 415;
            }
            else
            {
                lock (_accepted)
                {
                    _accepted.Add(JsonDocument.Parse(body).RootElement.Clone());
                }

                context.Response.StatusCode = 200;
            }

            context.Response.Close();
        }
    }
}
