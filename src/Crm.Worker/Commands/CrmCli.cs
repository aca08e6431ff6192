using System.CommandLine;
using System.CommandLine.Invocation;
using System.Text.RegularExpressions;
using Crm.Worker.Hosting;

namespace Crm.Worker.Commands;

/// <summary>
/// Runs the command line: a usage error or a user's mistake is printed as one line per problem, naming the
/// argument, setting or file and what to do (exit 2, or 3 when a dependency cannot be reached); a bug keeps
/// its stack trace. <c>--verbose</c> adds the stack trace to user errors too.
/// </summary>
internal static partial class CrmCli
{
    /// <summary>Parses <paramref name="args"/>, runs the command and returns the process exit code.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter? error = null)
    {
        error ??= Console.Error;
        var root = CrmCommandLine.Build();
        var parse = root.Parse(args);
        if (parse.Action is ParseErrorAction)
        {
            // "Required command was not provided" next to "Unrecognized command 'x'" says the same thing twice.
            var errors = parse.Errors.Select(e => Plain(e.Message)).ToList();
            if (errors.Count > 1)
            {
                errors.RemoveAll(m => m.StartsWith("Required command was not provided", StringComparison.Ordinal));
            }

            foreach (var message in errors)
            {
                // Our own validators say what to do after a ';'; the parser's messages get the pointer to --help.
                await error.WriteLineAsync(message.Contains("; ", StringComparison.Ordinal)
                    ? $"crm: {message}."
                    : $"crm: {message.TrimEnd('.')}. Run 'crm --help' for the commands and their options.").ConfigureAwait(false);
            }

            return UserErrorException.SettingsExitCode;
        }

        try
        {
            // On SIGTERM or Ctrl+C the command's token is cancelled and it gets this long to finish: the service hands its
            // running jobs back (Crm:Worker:ShutdownSeconds, 30 by default) and stops the embedded PostgreSQL.
            return await parse.InvokeAsync(new InvocationConfiguration
            {
                EnableDefaultExceptionHandler = false,
                ProcessTerminationTimeout = TimeSpan.FromSeconds(90),
            }).ConfigureAwait(false);
        }
        catch (Exception e) when (UserErrors.Explain(e, () => ConfiguredWarehouse(parse)) is { } explained)
        {
            foreach (var line in explained.Lines)
            {
                await error.WriteLineAsync("crm: " + line).ConfigureAwait(false);
            }

            if (parse.GetValue(CommonOptions.Verbose))
            {
                await error.WriteLineAsync(e.ToString()).ConfigureAwait(false);
            }

            return explained.ExitCode;
        }
    }

    private static string? ConfiguredWarehouse(ParseResult parse)
    {
        try
        {
            return WarehouseSetting.Configured(CrmConfiguration.Build(parse.GetValue(CommonOptions.Config)));
        }
        catch (Exception e) when (e is InvalidDataException or FileNotFoundException or FormatException)
        {
            return null;
        }
    }

    /// <summary>
    /// The parser names the .NET type a value failed to parse as ("as expected type 'System.Int32'"), which means
    /// nothing to the person who typed it: this says what the option takes instead, and an enum's names in full.
    /// Any other message is returned as it is.
    /// </summary>
    internal static string Plain(string message)
    {
        var match = TypeFailure().Match(message);
        if (!match.Success)
        {
            return message;
        }

        var kind = match.Groups["type"].Value switch
        {
            "System.Int16" or "System.Int32" or "System.Int64" => "a whole number",
            "System.UInt16" or "System.UInt32" or "System.UInt64" => "a whole number, 0 or more",
            "System.Single" or "System.Double" or "System.Decimal" => "a number",
            "System.Boolean" => "true or false",
            "System.DateOnly" => "a date, yyyy-MM-dd",
            "System.DateTime" or "System.DateTimeOffset" => "a date and time, ISO 8601",
            "System.TimeSpan" => "a duration, hh:mm:ss",
            var type => EnumNames(type),
        };
        return kind is null
            ? message
            : $"'{match.Groups["value"].Value}' is not a value of {match.Groups["option"].Value}, which takes {kind}";
    }

    private static string? EnumNames(string typeName)
    {
        var type = AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetType(typeName)).FirstOrDefault(t => t is not null);
        return type is { IsEnum: true }
            ? "one of " + string.Join(", ", Enum.GetNames(type).Select(n => n.ToLowerInvariant()))
            : null;
    }

    [GeneratedRegex(@"^Cannot parse argument '(?<value>.*)' for option '(?<option>[^']+)' as expected type '(?<type>[^']+)'", RegexOptions.Singleline)]
    private static partial Regex TypeFailure();
}
