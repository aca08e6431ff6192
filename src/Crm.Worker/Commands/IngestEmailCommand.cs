using System.CommandLine;
using Crm.Pipeline.Jobs;
using Crm.Pipeline.Sources;
using Crm.Pipeline.Sources.Email;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Crm.Worker.Commands;

/// <summary>
/// <c>crm ingest email PATH…</c>: loads .eml files, Maildir folders and mbox files now, and with
/// <c>imap:ACCOUNT</c> (or <c>imap:*</c>) syncs configured IMAP accounts, through the same code as
/// the <c>email</c> stage. One line per unit, then <c>read N, loaded N, quarantined N, duplicate N</c>.
/// </summary>
internal static class IngestEmailCommand
{
    public static Command Create()
    {
        var paths = new Argument<string[]>("paths")
        {
            Description = "Mail files or folders (.eml, Maildir, mbox); imap:ACCOUNT or imap:* for configured IMAP accounts",
            Arity = ArgumentArity.OneOrMore,
        };
        var command = new Command("email", "Load mail files or sync IMAP accounts now") { paths };
        command.SetAction(async (parse, ct) =>
        {
            var given = parse.GetValue(paths) ?? [];
            var missing = given.Where(p => !p.StartsWith("imap:", StringComparison.Ordinal) && !File.Exists(p) && !Directory.Exists(p)).ToList();
            if (missing.Count > 0)
            {
                await Console.Error.WriteLineAsync("not found: " + string.Join(", ", missing)).ConfigureAwait(false);
                return 2;
            }

            await using var host = await CommandHost.StartAsync(parse.GetValue(CommonOptions.Config), ct).ConfigureAwait(false);
            var total = default(IngestCounts);
            var exit = 0;
            var files = given.Where(p => !p.StartsWith("imap:", StringComparison.Ordinal)).ToList();
            foreach (var result in await host.Services.GetRequiredService<EmailFileIngester>().IngestAsync(files, null, NullProgressSink.Instance, ct).ConfigureAwait(false))
            {
                Console.WriteLine(result);
                total += result.Counts;
                exit = result.Outcome == "failed" ? 1 : exit;
            }

            var accounts = host.Services.GetRequiredService<IOptions<EmailOptions>>().Value.Imap.Accounts;
            var syncer = host.Services.GetRequiredService<ImapSyncer>();
            foreach (var name in given.Where(p => p.StartsWith("imap:", StringComparison.Ordinal)).Select(p => p[5..]))
            {
                var chosen = accounts.Where(a => name == "*" || string.Equals(a.Name, name, StringComparison.OrdinalIgnoreCase)).ToList();
                if (chosen.Count == 0)
                {
                    await Console.Error.WriteLineAsync($"no IMAP account '{name}' in Crm:Email:Imap:Accounts (configured: {string.Join(", ", accounts.Select(a => a.Name))})").ConfigureAwait(false);
                    return 2;
                }

                foreach (var account in chosen)
                {
                    foreach (var result in await syncer.SyncAccountAsync(account, null, NullProgressSink.Instance, ct).ConfigureAwait(false))
                    {
                        // A failed account's committed batches are loaded and count; its failure goes to stderr.
                        if (result.Error is not null)
                        {
                            await Console.Error.WriteLineAsync(result.Error).ConfigureAwait(false);
                            exit = 1;
                            continue;
                        }

                        Console.WriteLine(result);
                        total += result.Counts;
                    }
                }
            }

            Console.WriteLine(total);
            return exit;
        });
        return command;
    }
}
