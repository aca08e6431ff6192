using System.CommandLine;
using Crm.Pipeline.Jobs;
using Crm.Pipeline.Sources;
using Crm.Pipeline.Sources.WebLogs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Crm.Worker.Commands;

/// <summary>
/// <c>crm ingest weblogs PATH… [--format F] [--site NAME]</c>: a one-off load of access logs through
/// the same ingester the <c>weblogs</c> job uses (so a later job run continues where this left off).
/// </summary>
internal static class IngestWebLogsCommand
{
    public static Command Create()
    {
        var paths = new Argument<string[]>("paths") { Description = "Log files (plain or .gz) or folders to load", Arity = ArgumentArity.OneOrMore };
        var formatOption = new Option<string?>("--format")
        {
            Description = "auto, combined, common, nginx, w3c, json, or a LogFormat / log_format string (default: the site's setting)",
        };
        var siteOption = new Option<string?>("--site")
        {
            Description = "Site name from Crm:WebLogs:Sources (default: the only site, or the one whose folder holds the file; an unknown name loads with default settings)",
        };
        var command = new Command("weblogs", "Load web server access logs now") { paths, formatOption, siteOption };
        command.SetAction(async (parse, ct) =>
        {
            await using var host = await CommandHost.StartAsync(parse.GetValue(CommonOptions.Config), ct).ConfigureAwait(false);
            var sites = host.Services.GetRequiredService<IOptions<WebLogsOptions>>().Value.Sources;
            var files = IngestOrdersCommand.Expand(parse.GetValue(paths) ?? []);
            if (files.Count == 0)
            {
                await Console.Error.WriteLineAsync("no files found").ConfigureAwait(false);
                return 2;
            }

            var siteName = parse.GetValue(siteOption);
            var ingester = host.Services.GetRequiredService<WebLogIngester>();
            var total = default(IngestCounts);
            var failed = false;
            // As the stage does: configured campaign send logs first, so tracked clicks resolve (reported apart from the log lines).
            foreach (var sends in await ingester.LoadCampaignSendsAsync(null, ct).ConfigureAwait(false))
            {
                Console.WriteLine("campaign send log " + sends);
            }

            foreach (var group in files.GroupBy(f => PickSite(sites, siteName, f)))
            {
                var site = group.Key;
                if (site is null)
                {
                    await Console.Error.WriteLineAsync(
                        $"no site given and none configured for {group.First()}; pass --site NAME (configured: {string.Join(", ", sites.Select(s => s.Name))})").ConfigureAwait(false);
                    return 2;
                }

                var results = await ingester.IngestAsync(group, site, parse.GetValue(formatOption), null, NullProgressSink.Instance, ct).ConfigureAwait(false);
                foreach (var result in results)
                {
                    Console.WriteLine(result);
                    total += result.Counts;
                    failed |= result.Outcome == "failed";
                }
            }

            Console.WriteLine(total);
            return failed ? 1 : 0;
        });
        return command;
    }

    private static WebLogSourceOptions? PickSite(List<WebLogSourceOptions> sites, string? name, string file)
    {
        if (name is not null)
        {
            return sites.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase))
                ?? new WebLogSourceOptions { Name = name };
        }

        if (sites.Count == 1)
        {
            return sites[0];
        }

        if (sites.Count == 0)
        {
            return new WebLogSourceOptions { Name = "web" };
        }

        var dir = Path.GetDirectoryName(file);
        return sites.FirstOrDefault(s => s.Folder is not null && string.Equals(Path.GetFullPath(s.Folder), dir, StringComparison.Ordinal)
            && System.IO.Enumeration.FileSystemName.MatchesSimpleExpression(s.Pattern, Path.GetFileName(file)));
    }
}
