using System.CommandLine;
using System.Globalization;
using Crm.Synthetic;

namespace Crm.Worker.Commands;

/// <summary>
/// <c>crm generate --customers N --start DATE --days D --seed S --out DIR</c>: writes a synthetic
/// company (orders, web logs, emails) and its truth. Every rate of <see cref="GeneratorOptions"/>
/// has its own option; <c>crm generate --help</c> lists them with their defaults.
/// </summary>
internal static class GenerateCommand
{
    private sealed record RateOption(Option<double> Option, Action<GeneratorOptions, double> Set);

    internal static Command Create()
    {
        var defaults = new GeneratorOptions();
        var customers = new Option<int>("--customers") { Description = "Number of people (true persons).", DefaultValueFactory = _ => defaults.Customers };
        var start = new Option<string>("--start") { Description = "First day, yyyy-MM-dd.", DefaultValueFactory = _ => defaults.Start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) };
        var days = new Option<int>("--days") { Description = "Length of the period in days.", DefaultValueFactory = _ => defaults.Days };
        var seed = new Option<ulong>("--seed") { Description = "Seed: the same arguments give byte-identical output.", DefaultValueFactory = _ => defaults.Seed };
        var output = new Option<string>("--out") { Description = "Output folder.", DefaultValueFactory = _ => defaults.Out };
        var quiet = new Option<bool>("--quiet") { Description = "No progress line." };
        var dropout = new Option<DropoutProcess>("--dropout")
        {
            Description = "How people leave: bgnbd (a coin after each repeat purchase, BG/NBD's own story) or engagement (a hazard that bad experiences raise, then a waning phase before the last order).",
            DefaultValueFactory = _ => defaults.Dropout,
        };
        var signalDays = new Option<int>("--churn-signal-days") { Description = "Days before dropout in which visits thin out and complaints rise.", DefaultValueFactory = _ => defaults.ChurnSignalDays };
        var webDaysPerFile = new Option<int>("--weblog-days-per-file") { Description = "Days of web log per file (1 = daily rotation, 7 = weekly).", DefaultValueFactory = _ => defaults.WebLogDaysPerFile };
        var campaignDays = new Option<int>("--campaign-every-days") { Description = "Days between email campaigns.", DefaultValueFactory = _ => defaults.CampaignEveryDays };

        var rates = new List<RateOption>();
        void Rate(string name, string description, Func<GeneratorOptions, double> get, Action<GeneratorOptions, double> set) =>
            rates.Add(new RateOption(new Option<double>("--" + name) { Description = description, DefaultValueFactory = _ => get(defaults) }, set));

        Rate("purchase-shape", "BG/NBD r: shape of the gamma distribution of purchase rates (per day).", o => o.PurchaseShape, (o, v) => o.PurchaseShape = v);
        Rate("purchase-scale", "BG/NBD alpha (days): mean purchase rate is r/alpha per day.", o => o.PurchaseScale, (o, v) => o.PurchaseScale = v);
        Rate("dropout-a", "BG/NBD a of the beta distribution of the dropout probability.", o => o.DropoutA, (o, v) => o.DropoutA = v);
        Rate("dropout-b", "BG/NBD b of the beta distribution of the dropout probability.", o => o.DropoutB, (o, v) => o.DropoutB = v);
        Rate("spend-p", "Gamma-gamma p: shape of order values around a person's mean.", o => o.SpendP, (o, v) => o.SpendP = v);
        Rate("spend-q", "Gamma-gamma q: shape of the population distribution of nu.", o => o.SpendQ, (o, v) => o.SpendQ = v);
        Rate("spend-gamma", "Gamma-gamma gamma: rate of the population distribution of nu (mean order value p*gamma/(q-1) EUR).", o => o.SpendGamma, (o, v) => o.SpendGamma = v);
        Rate("visits-per-purchase", "Web sessions per purchase.", o => o.VisitsPerPurchase, (o, v) => o.VisitsPerPurchase = v);
        Rate("baseline-visits-per-year", "Web sessions per year regardless of purchases.", o => o.BaselineVisitsPerYear, (o, v) => o.BaselineVisitsPerYear = v);
        Rate("questions-per-year", "Questions by email per active person and year.", o => o.QuestionsPerYear, (o, v) => o.QuestionsPerYear = v);
        Rate("baseline-complaints-per-year", "Complaints per year of people who stay.", o => o.BaselineComplaintsPerYear, (o, v) => o.BaselineComplaintsPerYear = v);
        Rate("complaint-before-dropout", "Probability that a person who drops out complains first.", o => o.ComplaintBeforeDropout, (o, v) => o.ComplaintBeforeDropout = v);
        Rate("cancellation-request-rate", "Probability that a person who drops out asks to cancel.", o => o.CancellationRequestRate, (o, v) => o.CancellationRequestRate = v);
        Rate("duplicate-rate", "Share of repeat buyers who also have a second, slightly different customer record.", o => o.DuplicateRate, (o, v) => o.DuplicateRate = v);
        Rate("household-rate", "Share of people living with another (same address, usually same surname).", o => o.HouseholdRate, (o, v) => o.HouseholdRate = v);
        Rate("non-latin-share", "Share of people whose names are in a non-Latin script.", o => o.NonLatinShare, (o, v) => o.NonLatinShare = v);
        Rate("json-feed-share", "Share of people whose orders come through the JSON-lines feed.", o => o.JsonFeedShare, (o, v) => o.JsonFeedShare = v);
        Rate("gzip-share", "Share of files written gzipped.", o => o.GzipShare, (o, v) => o.GzipShare = v);
        Rate("cancel-rate", "Share of orders cancelled.", o => o.CancelRate, (o, v) => o.CancelRate = v);
        Rate("return-rate", "Share of orders with a returned line.", o => o.ReturnRate, (o, v) => o.ReturnRate = v);
        Rate("order-fault-rate", "Share of orders with a bad record.", o => o.OrderFaultRate, (o, v) => o.OrderFaultRate = v);
        Rate("web-fault-rate", "Share of web log lines made malformed.", o => o.WebFaultRate, (o, v) => o.WebFaultRate = v);
        Rate("out-of-order-rate", "Share of web log lines written out of time order.", o => o.OutOfOrderRate, (o, v) => o.OutOfOrderRate = v);
        Rate("bot-share", "Share of web log lines from crawlers and bots.", o => o.BotShare, (o, v) => o.BotShare = v);
        Rate("anonymous-share", "Share of web sessions from visitors who never buy.", o => o.AnonymousShare, (o, v) => o.AnonymousShare = v);
        Rate("campaign-reach", "Share of customers each campaign is sent to.", o => o.CampaignReach, (o, v) => o.CampaignReach = v);
        Rate("click-rate", "Share of campaign emails clicked.", o => o.ClickRate, (o, v) => o.ClickRate = v);
        Rate("eml-share", "Share of emails written as single .eml files (the rest into mbox files).", o => o.EmlShare, (o, v) => o.EmlShare = v);
        Rate("email-fault-rate", "Share of emails with a fault.", o => o.EmailFaultRate, (o, v) => o.EmailFaultRate = v);
        Rate("bad-experience-rate", "With --dropout engagement: share of orders with a bad experience (an item returned, often a complaint), each raising the dropout hazard.", o => o.BadExperienceRate, (o, v) => o.BadExperienceRate = v);

        var command = new Command("generate", "Write a synthetic company (order feeds, web logs, emails) with its ground truth.")
        {
            customers, start, days, seed, output, signalDays, campaignDays, webDaysPerFile, dropout, quiet,
        };
        foreach (var r in rates)
        {
            command.Options.Add(r.Option);
        }

        command.SetAction((parse, cancellationToken) =>
        {
            if (!DateOnly.TryParseExact(parse.GetValue(start), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var startDate))
            {
                Console.Error.WriteLine($"--start must be a date as yyyy-MM-dd, got '{parse.GetValue(start)}'");
                return Task.FromResult(2);
            }

            var options = new GeneratorOptions
            {
                Customers = parse.GetValue(customers),
                Start = startDate,
                Days = parse.GetValue(days),
                Seed = parse.GetValue(seed),
                Out = parse.GetValue(output)!,
                ChurnSignalDays = parse.GetValue(signalDays),
                CampaignEveryDays = parse.GetValue(campaignDays),
                WebLogDaysPerFile = parse.GetValue(webDaysPerFile),
                Dropout = parse.GetValue(dropout),
            };
            foreach (var r in rates)
            {
                r.Set(options, parse.GetValue(r.Option));
            }

            var errors = options.Validate();
            if (errors.Count > 0)
            {
                foreach (var e in errors)
                {
                    Console.Error.WriteLine(e);
                }

                return Task.FromResult(2);
            }

            var progress = parse.GetValue(quiet) ? null : new ConsoleProgress("generate");
            var summary = new SyntheticCompanyGenerator(options).Run((fraction, status) => progress?.Report(fraction, status), cancellationToken);
            progress?.Done();

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"wrote {summary.Root}: {summary.Persons} people, {summary.Orders} orders ({summary.OrderCsvRows} CSV rows, {summary.OrderJsonLines} JSON lines), {summary.WebLogLines} web log lines, {summary.Emails} emails, {summary.Duplicates} duplicates, {summary.Faults} faults, {summary.Bytes / 1e6:F1} MB in {summary.Elapsed.TotalSeconds:F1} s"));
            return Task.FromResult(0);
        });
        return command;
    }
}
