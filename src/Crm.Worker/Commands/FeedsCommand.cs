using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Crm.Pipeline.Sources.Orders;

namespace Crm.Worker.Commands;

/// <summary>
/// <c>crm feeds detect FILE… [--name NAME] [--time-zone ZONE]</c>: reads the start of each file and prints a
/// settings document proposing a feed for it (standard output, accepted by <c>--config</c> as it is), and on
/// standard error what was recognised and why, what it was unsure of, and the first orders as they would load.
/// Needs no warehouse.
/// </summary>
internal static class FeedsCommand
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static Command Create()
    {
        var files = new Argument<string[]>("files") { Description = "Order export files to look at", Arity = ArgumentArity.OneOrMore };
        var name = new Option<string?>("--name") { Description = "Name of the proposed feed (with several files: the first; the others get -2, -3, …)" };
        var zone = new Option<string?>("--time-zone") { Description = "IANA time zone of dates without an offset (the shop's zone, e.g. Europe/Berlin)" };
        var detect = new Command("detect", "Propose a feed for order export files: prints settings JSON on stdout and a preview on stderr") { files, name, zone };
        detect.SetAction(async (parse, ct) => await DetectAsync(parse.GetValue(files) ?? [], parse.GetValue(name), parse.GetValue(zone), ct).ConfigureAwait(false));
        return new Command("feeds", "Order feed helpers") { detect };
    }

    private static async Task<int> DetectAsync(string[] files, string? name, string? zone, CancellationToken ct)
    {
        if (zone is not null && !TimeZoneInfo.TryFindSystemTimeZoneById(zone, out _))
        {
            await Console.Error.WriteLineAsync($"--time-zone '{zone}' is not a known IANA time zone (e.g. Europe/Berlin, America/New_York).").ConfigureAwait(false);
            return 2;
        }

        var feeds = new List<OrderFeedOptions>();
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var failed = false;
        foreach (var file in files)
        {
            ct.ThrowIfCancellationRequested();
            FeedProposal proposal;
            try
            {
                proposal = FeedDetector.Detect(file, feeds.Count == 0 ? name : null, zone);
            }
            catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
            {
                await Console.Error.WriteLineAsync($"{file}: {e.Message}").ConfigureAwait(false);
                failed = true;
                continue;
            }

            var feed = proposal.Feed;
            var baseName = name ?? feed.Name;
            for (var n = 2; !names.Add(feed.Name); n++)
            {
                feed.Name = $"{baseName}-{n}";
            }

            feeds.Add(feed);
            await Console.Error.WriteLineAsync(Describe(file, proposal)).ConfigureAwait(false);
        }

        if (feeds.Count > 0)
        {
            var document = new { Crm = new { Orders = new { Feeds = feeds } } };
            Console.WriteLine(JsonSerializer.Serialize(document, Json));
        }

        return failed ? 2 : 0;
    }

    private static string Describe(string file, FeedProposal p)
    {
        var lines = new List<string> { $"{file}: feed '{p.Feed.Name}'" };
        lines.AddRange(p.Recognised.Select(r => "  " + r));
        lines.AddRange(p.Unsure.Select(u => "  unsure: " + u));
        if (p.Unplaced.Count > 0)
        {
            lines.Add($"  not placed ({p.Unplaced.Count}): {string.Join(", ", p.Unplaced.Take(12).Select(c => "'" + c + "'"))}{(p.Unplaced.Count > 12 ? ", …" : "")}");
        }

        lines.Add(p.FirstOrders.Count == 0 ? "  first orders: none would load from the sample" : "  first orders as they would load:");
        lines.AddRange(p.FirstOrders.Select(o => "    " + o));
        var quarantined = p.Quarantined.Values.Sum();
        lines.Add($"  sampled rows: {p.SampledRows}, would be quarantined: {quarantined}");
        lines.AddRange(p.Quarantined.OrderByDescending(q => q.Value).Take(5).Select(q => $"    {q.Value} × {q.Key}"));
        return string.Join(Environment.NewLine, lines);
    }
}
