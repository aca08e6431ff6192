using System.CommandLine;
using Crm.Pipeline.Sources;
using Crm.Pipeline.Sources.Orders;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Crm.Worker.Commands;

/// <summary>
/// <c>crm ingest orders PATH… [--feed NAME]</c>: a one-off load outside the schedule (backfills),
/// through the same ingester the job uses. Exits 1 when a file failed (truncated, unreadable), 2 for a wrong argument.
/// </summary>
internal static class IngestOrdersCommand
{
    public static Command Create()
    {
        var paths = new Argument<string[]>("paths") { Description = "Order files (or folders) to load", Arity = ArgumentArity.OneOrMore };
        var feedOption = new Option<string?>("--feed") { Description = "Feed name from Crm:Orders:Feeds (default: the only feed, or the one whose folder holds the file)" };
        var command = new Command("orders", "Load order-feed files now") { paths, feedOption };
        command.SetAction(async (parse, ct) =>
        {
            await using var host = await CommandHost.StartAsync(parse.GetValue(CommonOptions.Config), ct).ConfigureAwait(false);
            var feeds = host.Services.GetRequiredService<IOptions<OrdersOptions>>().Value.Feeds;
            var files = Expand(parse.GetValue(paths) ?? []);
            if (files.Count == 0)
            {
                await Console.Error.WriteLineAsync("no files found").ConfigureAwait(false);
                return 2;
            }

            var feedName = parse.GetValue(feedOption);
            var ingester = host.Services.GetRequiredService<OrderFeedIngester>();
            var total = default(IngestCounts);
            var failed = false;
            foreach (var file in files)
            {
                var feed = PickFeed(feeds, feedName, file);
                if (feed is null)
                {
                    await Console.Error.WriteLineAsync(feedName is null
                        ? $"{file}: no feed given and none configured for it; pass --feed NAME (configured: {string.Join(", ", feeds.Select(f => f.Name))})"
                        : $"no feed named '{feedName}' in Crm:Orders:Feeds (configured: {string.Join(", ", feeds.Select(f => f.Name))})").ConfigureAwait(false);
                    return 2;
                }

                var result = await ingester.IngestFileAsync(file, feed, null, ct).ConfigureAwait(false);
                Console.WriteLine(result);
                total += result.Counts;
                failed |= result.Outcome == "failed";
            }

            Console.WriteLine(total);
            return failed ? 1 : 0;
        });
        return command;
    }

    /// <summary>Files named, and the files inside folders named, in a stable order.</summary>
    internal static List<string> Expand(IEnumerable<string> paths) =>
        paths.SelectMany<string, string>(p => Directory.Exists(p)
                ? Directory.GetFiles(p).Order(StringComparer.Ordinal)
                : File.Exists(p) ? [p] : Array.Empty<string>())
            .Select(Path.GetFullPath)
            .ToList();

    private static OrderFeedOptions? PickFeed(List<OrderFeedOptions> feeds, string? name, string file)
    {
        if (name is not null)
        {
            return feeds.FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase));
        }

        if (feeds.Count == 1)
        {
            return feeds[0];
        }

        var dir = Path.GetDirectoryName(file);
        return feeds.FirstOrDefault(f => f.Folder is not null && string.Equals(Path.GetFullPath(f.Folder), dir, StringComparison.Ordinal)
            && FileNameMatches(Path.GetFileName(file), f.Pattern));
    }

    private static bool FileNameMatches(string name, string pattern) =>
        System.IO.Enumeration.FileSystemName.MatchesSimpleExpression(pattern, name);
}
