using System.Globalization;

namespace Crm.Synthetic;

/// <summary>
/// Everything that shapes a synthetic company. The same options (seed included) always give
/// byte-identical output. Defaults are meant to look like a real small web shop; every rate can
/// be changed on the command line (<c>crm generate --help</c>).
/// </summary>
public sealed class GeneratorOptions
{
    /// <summary>Number of people (true persons) in the company.</summary>
    public int Customers { get; set; } = 1000;

    /// <summary>First day of the simulated period.</summary>
    public DateOnly Start { get; set; } = new(2025, 1, 1);

    /// <summary>Length of the simulated period in days.</summary>
    public int Days { get; set; } = 365;

    /// <summary>Seed of every random choice.</summary>
    public ulong Seed { get; set; } = 1;

    /// <summary>Output folder (created; existing generated files are overwritten).</summary>
    public string Out { get; set; } = "synthetic";

    /// <summary>BG/NBD: shape r of the gamma distribution of purchase rates λ (per day).</summary>
    public double PurchaseShape { get; set; } = 0.75;

    /// <summary>BG/NBD: rate α (in days) of the gamma distribution of purchase rates; mean λ = r/α.</summary>
    public double PurchaseScale { get; set; } = 110;

    /// <summary>BG/NBD: a of the beta distribution of the dropout probability p after each purchase.</summary>
    public double DropoutA { get; set; } = 0.8;

    /// <summary>BG/NBD: b of the beta distribution of the dropout probability p; mean p = a/(a+b).</summary>
    public double DropoutB { get; set; } = 3.5;

    /// <summary>Gamma-gamma spend: shape p of each order's value around the person's mean.</summary>
    public double SpendP { get; set; } = 6;

    /// <summary>Gamma-gamma spend: shape q of the population distribution of ν.</summary>
    public double SpendQ { get; set; } = 4;

    /// <summary>Gamma-gamma spend: rate γ of the population distribution of ν; mean order value p·γ/(q−1).</summary>
    public double SpendGamma { get; set; } = 40;

    /// <summary>Web sessions per purchase, on top of <see cref="BaselineVisitsPerYear"/>.</summary>
    public double VisitsPerPurchase { get; set; } = 0.6;

    /// <summary>Web sessions per year of an active person regardless of purchases.</summary>
    public double BaselineVisitsPerYear { get; set; } = 0.4;

    /// <summary>
    /// How people leave: <see cref="DropoutProcess.BgNbd"/> (the default) is the BG/NBD story itself, a coin after each
    /// repeat purchase; <see cref="DropoutProcess.Engagement"/> is a hazard in time that bad experiences raise, followed
    /// by a waning phase before the last order (see <c>Lifecycle.cs</c>).
    /// </summary>
    public DropoutProcess Dropout { get; set; } = DropoutProcess.BgNbd;

    /// <summary>With <see cref="DropoutProcess.Engagement"/>: share of orders with a bad experience (a returned item, often a complaint).</summary>
    public double BadExperienceRate { get; set; } = 0.08;

    /// <summary>Days before dropout in which visits thin out and complaints become likely.</summary>
    public int ChurnSignalDays { get; set; } = 45;

    /// <summary>Probability that a person who drops out complains first.</summary>
    public double ComplaintBeforeDropout { get; set; } = 0.2;

    /// <summary>Complaints per year of a person who stays.</summary>
    public double BaselineComplaintsPerYear { get; set; } = 0.03;

    /// <summary>Questions per year per active person.</summary>
    public double QuestionsPerYear { get; set; } = 0.05;

    /// <summary>Probability that a dropping-out person asks to cancel their account.</summary>
    public double CancellationRequestRate { get; set; } = 0.08;

    /// <summary>Share of repeat buyers (people with two or more orders) who also have a second, slightly different customer record.</summary>
    public double DuplicateRate { get; set; } = 0.25;

    /// <summary>Share of people who live with the previous person (same address, usually the same surname).</summary>
    public double HouseholdRate { get; set; } = 0.08;

    /// <summary>Share of people whose names are written in a non-Latin script.</summary>
    public double NonLatinShare { get; set; } = 0.08;

    /// <summary>Share of people whose orders arrive through the JSON-lines feed rather than CSV.</summary>
    public double JsonFeedShare { get; set; } = 0.35;

    /// <summary>Share of output files written gzipped.</summary>
    public double GzipShare { get; set; } = 0.3;

    /// <summary>Share of orders cancelled.</summary>
    public double CancelRate { get; set; } = 0.04;

    /// <summary>Share of orders returned.</summary>
    public double ReturnRate { get; set; } = 0.06;

    /// <summary>Share of order records made unreadable (truncated, bad encoding, missing date, bad number, enormous).</summary>
    public double OrderFaultRate { get; set; } = 0.003;

    /// <summary>Share of web log lines made malformed (truncated, garbage, bad encoding, enormous).</summary>
    public double WebFaultRate { get; set; } = 0.001;

    /// <summary>Share of web log lines written slightly out of time order.</summary>
    public double OutOfOrderRate { get; set; } = 0.002;

    /// <summary>Share of web log lines from crawlers and bots.</summary>
    public double BotShare { get; set; } = 0.1;

    /// <summary>Share of web sessions from visitors who never buy (anonymous; absent from the truth).</summary>
    public double AnonymousShare { get; set; } = 0.15;

    /// <summary>Days between email campaigns.</summary>
    public int CampaignEveryDays { get; set; } = 30;

    /// <summary>Share of active people each campaign is sent to.</summary>
    public double CampaignReach { get; set; } = 0.01;

    /// <summary>Share of campaign emails whose link is clicked (a web landing with the tracking token).</summary>
    public double ClickRate { get; set; } = 0.12;

    /// <summary>Share of emails written as single .eml files (the rest go into mbox files).</summary>
    public double EmlShare { get; set; } = 0.1;

    /// <summary>Share of emails with a fault (no Date, undeclared 8-bit charset, truncated).</summary>
    public double EmailFaultRate { get; set; } = 0.01;

    /// <summary>
    /// Days of web log in one file, named for its first day (1 = daily rotation, the default; 7 = weekly, as
    /// logrotate does by default on Debian). Fewer files load faster: the web log stage pays per file.
    /// </summary>
    public int WebLogDaysPerFile { get; set; } = 1;

    /// <summary>Whether <see cref="SyntheticCompanyGenerator.Run"/> reports progress to its callback.</summary>
    public bool Progress { get; set; } = true;

    /// <summary>
    /// The command line that reproduces these options (rates only where they differ from the
    /// defaults). An absolute output folder shows as <c>DIR</c>, so where the files are written
    /// never changes their bytes.
    /// </summary>
    public string CommandLine()
    {
        var defaults = new GeneratorOptions();
        var sb = new System.Text.StringBuilder();
        var output = Path.IsPathRooted(Out) ? "DIR" : Out.Replace('\\', '/');
        sb.Append(CultureInfo.InvariantCulture, $"crm generate --customers {Customers} --start {Start:yyyy-MM-dd} --days {Days} --seed {Seed} --out {output}");
        if (Dropout != defaults.Dropout)
        {
            sb.Append(" --dropout ").Append(Dropout.ToString().ToLowerInvariant());
        }

        var mine = Numbers().ToList();
        var theirs = defaults.Numbers().ToList();
        for (var i = 0; i < mine.Count; i++)
        {
            if (mine[i].Value != theirs[i].Value)
            {
                sb.Append(CultureInfo.InvariantCulture, $" --{mine[i].Name} {mine[i].Value}");
            }
        }

        return sb.ToString();
    }

    private IEnumerable<(string Name, double Value)> Numbers() =>
    [
        .. Rates(), ("purchase-shape", PurchaseShape), ("purchase-scale", PurchaseScale), ("dropout-a", DropoutA), ("dropout-b", DropoutB),
        ("spend-p", SpendP), ("spend-q", SpendQ), ("spend-gamma", SpendGamma), ("visits-per-purchase", VisitsPerPurchase),
        ("baseline-visits-per-year", BaselineVisitsPerYear), ("questions-per-year", QuestionsPerYear),
        ("baseline-complaints-per-year", BaselineComplaintsPerYear), ("churn-signal-days", ChurnSignalDays), ("campaign-every-days", CampaignEveryDays),
        ("weblog-days-per-file", WebLogDaysPerFile),
    ];

    /// <summary>Checks the options; returns every problem found (empty when valid).</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Customers < 1)
        {
            errors.Add($"--customers must be at least 1, got {Customers}");
        }

        if (Days < 1 || Days > 3660)
        {
            errors.Add($"--days must be in 1..3660, got {Days}");
        }

        foreach (var (name, value) in Rates())
        {
            if (double.IsNaN(value) || value < 0 || value > 1)
            {
                errors.Add($"--{name} is a share and must be in 0..1, got {value.ToString(CultureInfo.InvariantCulture)}");
            }
        }

        foreach (var (name, value) in new[]
                 {
                     ("purchase-shape", PurchaseShape), ("purchase-scale", PurchaseScale), ("dropout-a", DropoutA), ("dropout-b", DropoutB),
                     ("spend-p", SpendP), ("spend-q", SpendQ), ("spend-gamma", SpendGamma),
                 })
        {
            if (!(value > 0))
            {
                errors.Add($"--{name} must be positive, got {value.ToString(CultureInfo.InvariantCulture)}");
            }
        }

        if (SpendQ <= 1)
        {
            errors.Add($"--spend-q must exceed 1 for a finite mean order value, got {SpendQ.ToString(CultureInfo.InvariantCulture)}");
        }

        if (WebLogDaysPerFile < 1 || WebLogDaysPerFile > 31)
        {
            errors.Add($"--weblog-days-per-file must be in 1..31, got {WebLogDaysPerFile}");
        }

        if (CampaignEveryDays < 1)
        {
            errors.Add($"--campaign-every-days must be at least 1, got {CampaignEveryDays}");
        }

        if (VisitsPerPurchase < 0 || BaselineVisitsPerYear < 0 || QuestionsPerYear < 0 || BaselineComplaintsPerYear < 0 || ChurnSignalDays < 0)
        {
            errors.Add("visit, question and complaint rates and --churn-signal-days must not be negative");
        }

        return errors;
    }

    /// <summary>The share-valued options by command-line name.</summary>
    internal IEnumerable<(string Name, double Value)> Rates() =>
    [
        ("complaint-before-dropout", ComplaintBeforeDropout), ("cancellation-request-rate", CancellationRequestRate),
        ("duplicate-rate", DuplicateRate), ("household-rate", HouseholdRate), ("non-latin-share", NonLatinShare),
        ("json-feed-share", JsonFeedShare), ("gzip-share", GzipShare), ("cancel-rate", CancelRate), ("return-rate", ReturnRate),
        ("order-fault-rate", OrderFaultRate), ("web-fault-rate", WebFaultRate), ("out-of-order-rate", OutOfOrderRate),
        ("bot-share", BotShare), ("anonymous-share", AnonymousShare), ("campaign-reach", CampaignReach), ("click-rate", ClickRate),
        ("eml-share", EmlShare), ("email-fault-rate", EmailFaultRate), ("bad-experience-rate", BadExperienceRate),
    ];
}
