using System.Collections.Concurrent;
using Microsoft.Playwright;

namespace Crm.IntegrationTests.Infrastructure;

/// <summary>
/// One test's share of the run's browser: every page and context it opens is a fresh browser context
/// (no cookies or storage from another test), and all of them are closed when the session is disposed.
/// </summary>
public sealed class BrowserSession : IAsyncDisposable
{
    private readonly IBrowser _browser;
    private readonly ConcurrentQueue<IBrowserContext> _contexts = new();

    internal BrowserSession(IBrowser browser) => _browser = browser;

    /// <summary>A new browser context (see <see cref="IBrowser.NewContextAsync"/>), closed with the session.</summary>
    public async Task<IBrowserContext> NewContextAsync(BrowserNewContextOptions? options = null)
    {
        var context = await _browser.NewContextAsync(options);
        _contexts.Enqueue(context);
        return context;
    }

    /// <summary>A page in a new browser context of its own (see <see cref="IBrowser.NewPageAsync"/>), closed with the session.</summary>
    public async Task<IPage> NewPageAsync(BrowserNewPageOptions? options = null)
    {
        var page = await _browser.NewPageAsync(options);
        _contexts.Enqueue(page.Context);
        return page;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        while (_contexts.TryDequeue(out var context))
        {
            await context.CloseAsync();
        }
    }
}
