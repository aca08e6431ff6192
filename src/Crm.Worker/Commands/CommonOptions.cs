using System.CommandLine;

namespace Crm.Worker.Commands;

/// <summary>Options every command accepts.</summary>
internal static class CommonOptions
{
    /// <summary><c>--config FILE</c>: extra JSON settings files, applied after appsettings.json and crm.json.</summary>
    public static readonly Option<string[]> Config = CreateConfig();

    /// <summary><c>--verbose</c>: print the stack trace of a user error too (bugs always print theirs).</summary>
    public static readonly Option<bool> Verbose = new("--verbose")
    {
        Description = "Print the full exception of an error, not only its one-line explanation",
        Recursive = true,
    };

    private static Option<string[]> CreateConfig()
    {
        var option = new Option<string[]>("--config")
        {
            Description = "Extra JSON settings file(s), applied after appsettings.json and ./crm.json",
            Recursive = true,
            AllowMultipleArgumentsPerToken = false,
        };
        option.Validators.Add(result =>
        {
            foreach (var file in result.GetValueOrDefault<string[]>() ?? [])
            {
                if (!File.Exists(file))
                {
                    result.AddError($"--config {file}: no such file ({Path.GetFullPath(file)}); give the path of a JSON settings file");
                }
            }
        });
        return option;
    }
}
