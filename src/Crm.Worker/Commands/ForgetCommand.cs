using System.CommandLine;
using System.Globalization;
using Crm.Pipeline.Privacy;
using Microsoft.Extensions.DependencyInjection;

namespace Crm.Worker.Commands;

/// <summary>
/// <c>crm forget --email ADDRESS | --customer ID [--by NAME]</c>: erases one person from the warehouse
/// (staging, core, identity, ml, quarantine, the report archive) in one transaction, records an audit row
/// and suppresses their identifiers so re-ingesting old files does not bring them back.
/// </summary>
internal static class ForgetCommand
{
    public static Command Create()
    {
        var email = new Option<string?>("--email") { Description = "The person's email address" };
        var customer = new Option<long?>("--customer") { Description = "A golden customer id (see the dashboard's Identity page)" };
        var by = new Option<string?>("--by") { Description = "Who asked (kept in the audit row; default: the OS user)" };
        var command = new Command("forget", "Erase a person (right to be forgotten) and keep them out of future loads") { email, customer, by };
        command.SetAction(async (parse, ct) =>
        {
            var address = parse.GetValue(email);
            var id = parse.GetValue(customer);
            if ((address is null) == (id is null))
            {
                Console.Error.WriteLine("Give exactly one of --email ADDRESS or --customer ID.");
                return 2;
            }

            if (address is not null && !Forgetter.LooksLikeEmail(address.Trim()))
            {
                Console.Error.WriteLine("--email needs an address like name@example.com.");
                return 2;
            }

            await using var host = await CommandHost.StartAsync(parse.GetValue(CommonOptions.Config), ct).ConfigureAwait(false);
            var forgetter = host.Services.GetRequiredService<Forgetter>();
            ForgetResult result;
            try
            {
                result = await forgetter.ForgetAsync(new ForgetRequest(address?.Trim(), id), parse.GetValue(by) ?? Environment.UserName, ct).ConfigureAwait(false);
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine(e.Message);
                return 1;
            }

            foreach (var (table, rows) in result.Counts.Where(c => c.Value > 0))
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{table,-28} {rows,8}"));
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"forget_id={result.ForgetId} customers={result.Customers.Count} rows={result.Total} suppressed_identifiers={result.Identifiers}"));
            return 0;
        });
        return command;
    }
}
