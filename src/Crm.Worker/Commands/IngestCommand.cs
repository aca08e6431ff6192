using System.CommandLine;

namespace Crm.Worker.Commands;

/// <summary><c>crm ingest &lt;source&gt;</c>: one-off loads, one sub-command per source.</summary>
internal static class IngestCommand
{
    public static Command Create()
    {
        var command = new Command("ingest", "Load source files now, outside the schedule (same code path as the jobs)")
        {
            IngestOrdersCommand.Create(),
            IngestWebLogsCommand.Create(),
            IngestEmailCommand.Create(),
        };
        return command;
    }
}
