using System.CommandLine;
using Crm.Dashboard.Auth;

namespace Crm.Worker.Commands;

/// <summary><c>crm hash-password</c>: prints a hash for a dashboard user's configuration (the password is read from stdin).</summary>
internal static class HashPasswordCommand
{
    public static Command Create()
    {
        var command = new Command("hash-password", "Read a password from stdin and print its hash for Crm:Dashboard:Users");
        command.SetAction(async (_, ct) =>
        {
            var password = (await Console.In.ReadLineAsync(ct).ConfigureAwait(false))?.TrimEnd('\r', '\n');
            if (string.IsNullOrEmpty(password))
            {
                await Console.Error.WriteLineAsync("no password on stdin").ConfigureAwait(false);
                return 2;
            }

            Console.WriteLine(PasswordHash.Create(password));
            return 0;
        });
        return command;
    }
}
