using Crm.Synthetic;

namespace Crm.Worker.Commands;

/// <summary>
/// The one company the demo runs on: made by the synthetic company generator with a fixed seed, so every
/// run and every machine gets the same files (the generator writes byte-identical output for the same
/// options) and so the same reports. Two years of orders, web logs and mail for 2,000 people, ending the
/// day before the demo's "today", <see cref="Today"/>.
/// </summary>
internal static class DemoCompany
{
    /// <summary>The demo's "today": the first day after the generated data, a Monday and the first of a month,
    /// so both the monthly and the weekly report are due.</summary>
    public static readonly DateOnly Today = new(2026, 6, 1);

    /// <summary>The generator's options for the demo company, written to <paramref name="folder"/>.</summary>
    public static GeneratorOptions Options(string folder) => new()
    {
        Customers = 2000,
        Start = Today.AddDays(-730),
        Days = 730,
        Seed = 2026,
        Out = folder,
        // Log files of two weeks (logrotate's weekly, kept two at a time) and few single .eml files: the web log
        // and email stages pay per file, and the demo should finish in about a minute on two cores.
        WebLogDaysPerFile = 14,
        EmlShare = 0.02,
        CampaignReach = 0.05,
        QuestionsPerYear = 0.2,
        Progress = false,
    };

    /// <summary>
    /// Generates the company into <paramref name="folder"/> unless the same company is already there (its
    /// <c>truth/manifest.json</c> names the same command line), and returns whether it generated.
    /// </summary>
    public static bool Ensure(string folder, CancellationToken cancellationToken)
    {
        var options = Options(folder);
        var manifest = Path.Combine(folder, "truth", "manifest.json");
        if (File.Exists(manifest) && File.ReadAllText(manifest).Contains(System.Text.Json.JsonSerializer.Serialize(options.CommandLine()), StringComparison.Ordinal))
        {
            return false;
        }

        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }

        new SyntheticCompanyGenerator(options).Run(null, cancellationToken);
        return true;
    }
}
