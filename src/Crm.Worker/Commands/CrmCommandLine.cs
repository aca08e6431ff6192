using System.CommandLine;

namespace Crm.Worker.Commands;

/// <summary>The <c>crm</c> command line.</summary>
public static class CrmCommandLine
{
    /// <summary>Builds the root command with every sub-command.</summary>
    public static RootCommand Build()
    {
        var root = new RootCommand("Crm: website logs, emails and order feeds into one PostgreSQL warehouse, golden customers, churn and manager reports.");
        root.Add(CommonOptions.Config);
        root.Add(CommonOptions.Verbose);
        root.Add(CheckCommand.Create());
        root.Add(DashboardCommand.Create());
        root.Add(MigrateCommand.Create());
        root.Add(IngestCommand.Create());
        root.Add(RunCommand.Create());
        root.Add(ServeCommand.Create());
        root.Add(PingCommand.Create());
        root.Add(DemoCommand.Create());
        root.Add(HashPasswordCommand.Create());
        root.Add(ReportsCommand.Create());
        root.Add(GenerateCommand.Create());
        root.Add(IdentityCommand.Create());
        root.Add(ChurnCommand.Create());
        root.Add(ClvCommand.Create());
        root.Add(ForgetCommand.Create());
        root.Add(RetentionCommand.Create());
        root.Add(BackupCommand.Create());
        root.Add(RestoreCommand.Create());
        root.Add(FeedsCommand.Create());
        return root;
    }
}
