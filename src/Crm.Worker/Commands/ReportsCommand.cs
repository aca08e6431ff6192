using System.CommandLine;
using System.Globalization;
using Crm.Pipeline.Reports;
using Microsoft.Extensions.DependencyInjection;

namespace Crm.Worker.Commands;

/// <summary>
/// <c>crm reports send | list | show ID | resend ID --by ADMIN</c>: manager reports by hand — send what is
/// due now (exactly once, as the scheduled stage does), look at the archive, and resend one explicitly.
/// </summary>
internal static class ReportsCommand
{
    public static Command Create()
    {
        var command = new Command("reports", "Manager reports: send what is due, list the archive, show or resend a sent report");

        var send = new Command("send", "Send every report that is due and not yet delivered (outbox when no SMTP is configured)");
        send.SetAction(async (parse, ct) =>
        {
            await using var host = await CommandHost.StartAsync(parse.GetValue(CommonOptions.Config), ct).ConfigureAwait(false);
            var summary = await host.Services.GetRequiredService<ReportService>().RunAsync(ct).ConfigureAwait(false);
            foreach (var o in summary.Outcomes)
            {
                Console.WriteLine($"{o.Recipient}  {o.PeriodKey}  {o.Status}: {o.Reason}");
            }

            foreach (var file in summary.WrittenFiles)
            {
                Console.WriteLine("written: " + file);
            }

            Console.WriteLine(summary.ToString());
            return summary.Failed == 0 ? 0 : 1;
        });

        var limit = new Option<int>("--limit") { Description = "Rows to list", DefaultValueFactory = _ => 50 };
        var list = new Command("list", "List report deliveries, newest first") { limit };
        list.SetAction(async (parse, ct) =>
        {
            await using var host = await CommandHost.StartAsync(parse.GetValue(CommonOptions.Config), ct).ConfigureAwait(false);
            var rows = await host.Services.GetRequiredService<ReportArchive>().ListAsync(parse.GetValue(limit), ct).ConfigureAwait(false);
            foreach (var d in rows)
            {
                var when = d.SentAt?.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) ?? "-";
                var resend = d.ResendOf is null ? "" : $" (resend of {d.ResendOf} by {d.RequestedBy})";
                Console.WriteLine($"{d.DeliveryId,6}  {d.Status,-17} {when,-16}  {d.Recipient}  {d.PeriodKey}  attempts {d.Attempts}{resend}{(d.Error is null ? "" : "  " + d.Error)}");
            }

            return 0;
        });

        var id = new Argument<long>("id") { Description = "The delivery id (see `crm reports list`)" };
        var output = new Option<string?>("--out") { Description = "Write the HTML here instead of printing its size" };
        var show = new Command("show", "Write a sent report's HTML (charts inline) to a file") { id, output };
        show.SetAction(async (parse, ct) =>
        {
            await using var host = await CommandHost.StartAsync(parse.GetValue(CommonOptions.Config), ct).ConfigureAwait(false);
            var html = await host.Services.GetRequiredService<ReportArchive>().GetHtmlAsync(parse.GetValue(id), ct).ConfigureAwait(false);
            if (html is null)
            {
                Console.Error.WriteLine($"delivery {parse.GetValue(id)} has no archived report");
                return 1;
            }

            var path = Path.GetFullPath(parse.GetValue(output) ?? $"report-{parse.GetValue(id)}.html");
            await File.WriteAllTextAsync(path, html, ct).ConfigureAwait(false);
            Console.WriteLine("written: " + path);
            return 0;
        });

        var by = new Option<string>("--by") { Description = "The admin asking for the resend (recorded on the new delivery)", Required = true };
        var resend = new Command("resend", "Send a sent report again: a new delivery row marked as a resend") { id, by };
        resend.SetAction(async (parse, ct) =>
        {
            await using var host = await CommandHost.StartAsync(parse.GetValue(CommonOptions.Config), ct).ConfigureAwait(false);
            var newId = await host.Services.GetRequiredService<ReportArchive>().ResendAsync(parse.GetValue(id), parse.GetValue(by)!, ct).ConfigureAwait(false);
            Console.WriteLine($"resent as delivery {newId}");
            return 0;
        });

        command.Add(send);
        command.Add(list);
        command.Add(show);
        command.Add(resend);
        return command;
    }
}
