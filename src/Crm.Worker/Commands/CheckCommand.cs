using System.CommandLine;
using Crm.Worker.Hosting;
using Crm.Worker.Settings;

namespace Crm.Worker.Commands;

/// <summary>
/// <c>crm check</c>: the doctor. Validates every setting, reaches the warehouse (starting the embedded one
/// when none is configured), lists what each source would load next, greets the mail servers and prints each
/// schedule's next firings; ends with <c>N ok, N warnings, N errors</c> and exits 1 when there are errors.
/// </summary>
internal static class CheckCommand
{
    public static Command Create()
    {
        var offline = new Option<bool>("--offline") { Description = "Do not connect to the SMTP and IMAP servers" };
        var command = new Command("check", "Check the settings, the warehouse, the sources, the mail servers and the schedules; change nothing") { offline };
        command.SetAction(async (parse, ct) =>
        {
            var configuration = CrmConfiguration.Build(parse.GetValue(CommonOptions.Config));
            string? connectionString = null;
            var findings = new List<CheckFinding>();
            Hosting.Warehouse? warehouse = null;
            try
            {
                if (WarehouseSetting.Problem(configuration) is null)
                {
                    try
                    {
                        warehouse = await Hosting.Warehouse.ResolveAsync(configuration, ct).ConfigureAwait(false);
                        connectionString = warehouse.ConnectionString;
                    }
                    catch (Exception e) when (UserErrors.Explain(e, () => WarehouseSetting.Configured(configuration)) is { } explained)
                    {
                        findings.Add(new CheckFinding(CheckLevel.Error, "warehouse", string.Join(" ", explained.Lines)));
                    }
                    catch (InvalidOperationException e)
                    {
                        findings.Add(new CheckFinding(CheckLevel.Error, "warehouse", e.Message));
                    }
                }

                findings.InsertRange(0, await Doctor.RunAsync(configuration, connectionString, !parse.GetValue(offline), ct).ConfigureAwait(false));
            }
            finally
            {
                if (warehouse is not null)
                {
                    await warehouse.DisposeAsync().ConfigureAwait(false);
                }
            }

            // Warehouse findings first, as the doctor orders them; a failure to reach it sorts after the settings.
            foreach (var finding in findings)
            {
                Console.WriteLine(finding);
            }

            Console.WriteLine(Doctor.Summary(findings));
            return findings.Any(f => f.Level == CheckLevel.Error) ? 1 : 0;
        });
        return command;
    }
}
