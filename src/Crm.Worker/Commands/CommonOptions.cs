using System.CommandLine;

namespace Crm.Worker.Commands;

/// <summary>Options every command accepts.</summary>
internal static class CommonOptions
{
    /// <summary><c>--config FILE</c>: extra JSON settings files, applied after appsettings.json and crm.json.</summary>
    public static readonly Option<string[]> Config = new("--config")
    {
        Description = "Extra JSON settings file(s), applied after appsettings.json and ./crm.json",
        Recursive = true,
        AllowMultipleArgumentsPerToken = false,
    };
}
