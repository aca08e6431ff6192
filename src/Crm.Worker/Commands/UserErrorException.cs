namespace Crm.Worker.Commands;

/// <summary>
/// A mistake the user can fix (a setting, a file, an argument) or a dependency that cannot be reached.
/// The command line prints <see cref="Exception.Message"/> as one line, without a stack trace, and
/// exits with <see cref="ExitCode"/>.
/// </summary>
public sealed class UserErrorException : Exception
{
    /// <summary>Exit code of a usage or settings error.</summary>
    public const int SettingsExitCode = 2;

    /// <summary>Exit code of an unreachable dependency (database, mail server).</summary>
    public const int UnreachableExitCode = 3;

    /// <summary>Creates the error; <paramref name="message"/> names the setting or file and what to do.</summary>
    public UserErrorException(string message, int exitCode = SettingsExitCode, Exception? innerException = null)
        : base(message, innerException)
    {
        ExitCode = exitCode;
    }

    /// <summary>Creates a settings error (exit code 2).</summary>
    public UserErrorException()
        : this("invalid settings")
    {
    }

    /// <summary>Creates a settings error (exit code 2).</summary>
    public UserErrorException(string message)
        : this(message, SettingsExitCode)
    {
    }

    /// <summary>Creates a settings error (exit code 2) with its cause.</summary>
    public UserErrorException(string message, Exception innerException)
        : this(message, SettingsExitCode, innerException)
    {
    }

    /// <summary>2 for a usage or settings error, 3 for an unreachable dependency.</summary>
    public int ExitCode { get; }
}
