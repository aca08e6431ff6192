using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Crm.IntegrationTests.Infrastructure;
using Crm.Pipeline.Sources.Email;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Security;
using MimeKit;

namespace Crm.IntegrationTests.Email;

/// <summary>
/// A real Dovecot IMAP server (Debian's <c>dovecot-imapd</c>) run by the tests as a foreground
/// child process with its own config in a temp folder: 127.0.0.1 on a free port, plain-text
/// login (no TLS) for a passwd-file user, Maildir storage in the temp folder, log to a file.
/// It runs in its own session (<c>setsid</c>) so a test can kill it, children and all, mid-sync.
/// </summary>
public sealed class DovecotServer : IAsyncDisposable
{
    public const string User = "alice";
    public const string Password = "s3cret-test-pass";

    private static readonly Lazy<string> LazyBinary = new(() => new[] { "/usr/sbin/dovecot", "/usr/local/sbin/dovecot" }.FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException("Dovecot is not installed: apt-get install -y dovecot-imapd (the test launcher installs it)."));

    private Process? _process;

    private static string Binary => LazyBinary.Value;

    private DovecotServer(string directory, int port, TestCa? tls, string? introspectionUrl)
    {
        Directory = directory;
        Port = port;
        Tls = tls;
        IntrospectionUrl = introspectionUrl;
    }

    /// <summary>When set, the server speaks TLS from the first byte with a certificate this CA signed.</summary>
    public TestCa? Tls { get; }

    /// <summary>When set, XOAUTH2 and OAUTHBEARER sign-ins are checked against this token-introspection endpoint.</summary>
    public string? IntrospectionUrl { get; }

    public string Directory { get; }

    public int Port { get; }

    public string LogPath => Path.Combine(Directory, "dovecot.log");

    /// <summary>Writes the config and starts the server; throws with the log when it does not come up.</summary>
    public static async Task<DovecotServer> StartAsync(TestCa? tls = null, string? introspectionUrl = null)
    {
        _ = Binary;
        var directory = Path.Combine(Path.GetTempPath(), "crm-dovecot-" + Guid.NewGuid().ToString("N")[..8]);
        System.IO.Directory.CreateDirectory(Path.Combine(directory, "mail"));
        System.IO.Directory.CreateDirectory(Path.Combine(directory, "run"));
        var server = new DovecotServer(directory, FreePort.Next(), tls, introspectionUrl);
        server.WriteConfig();
        await server.StartProcessAsync();
        return server;
    }

    /// <summary>An account configuration pointing at this server.</summary>
    public ImapAccountOptions Account(string name = "test", params string[] folders) => new()
    {
        Name = name,
        Host = "127.0.0.1",
        Port = Port,
        Tls = Tls is null ? ImapTlsMode.None : ImapTlsMode.Ssl,
        CaCertificateFile = Tls?.CaFile,
        User = User,
        Password = Password,
        Folders = [.. folders],
        BatchSize = 50,
        TimeoutSeconds = 10,
        MaxAttempts = 10,
        RetryDelayMilliseconds = 200,
    };

    /// <summary>A connected, authenticated client for seeding and inspecting the mailbox.</summary>
    public async Task<ImapClient> ConnectAsync()
    {
        var client = new ImapClient();
        if (Tls is not null)
        {
            client.ServerCertificateValidationCallback = (_, _, _, _) => true;
        }

        await client.ConnectAsync("127.0.0.1", Port, Tls is null ? SecureSocketOptions.None : SecureSocketOptions.SslOnConnect);
        await client.AuthenticateAsync(User, Password);
        return client;
    }

    /// <summary>Appends messages to a folder (created when missing) and returns the folder's UIDVALIDITY.</summary>
    public async Task<uint> AppendAsync(string folderName, IEnumerable<MimeMessage> messages)
    {
        using var client = await ConnectAsync();
        var folder = await GetOrCreateAsync(client, folderName);
        foreach (var message in messages)
        {
            await folder.AppendAsync(message, MessageFlags.None);
        }

        await folder.StatusAsync(StatusItems.UidValidity);
        var validity = folder.UidValidity;
        await client.DisconnectAsync(true);
        return validity;
    }

    /// <summary>
    /// Delivers raw bytes as one message, the way a mail server's local delivery does (a file in the folder's
    /// Maildir <c>new/</c>), for messages an IMAP APPEND of a parsed message cannot produce; then selects the
    /// folder so Dovecot gives it the next UID, which is returned.
    /// </summary>
    public async Task<uint> DeliverRawAsync(string folderName, byte[] raw)
    {
        using var client = await ConnectAsync();
        var folder = await GetOrCreateAsync(client, folderName);
        var maildir = Path.Combine(Directory, "mail", User, "Maildir");
        var dir = folderName.Equals("INBOX", StringComparison.OrdinalIgnoreCase) ? maildir : Path.Combine(maildir, "." + folderName);
        System.IO.Directory.CreateDirectory(Path.Combine(dir, "new"));
        var file = Path.Combine(dir, "new", $"{DateTimeOffset.UtcNow.ToUnixTimeSeconds()}.{Guid.NewGuid():N}.crm-test");
        await File.WriteAllBytesAsync(file, raw);
        if (Environment.IsPrivilegedProcess)
        {
            var (uid, gid) = LookupUser("dovecot");
            Run("chown", "-R", $"{uid}:{gid}", dir);
        }

        await folder.OpenAsync(FolderAccess.ReadOnly);
        var uids = await folder.SearchAsync(MailKit.Search.SearchQuery.All);
        await client.DisconnectAsync(true);
        return uids.Max(u => u.Id);
    }

    public static async Task<IMailFolder> GetOrCreateAsync(ImapClient client, string folderName)
    {
        if (folderName.Equals("INBOX", StringComparison.OrdinalIgnoreCase))
        {
            return client.Inbox;
        }

        var root = client.GetFolder(client.PersonalNamespaces[0]);
        var existing = (await root.GetSubfoldersAsync()).FirstOrDefault(f => f.Name == folderName);
        return existing ?? (await root.CreateAsync(folderName, true))!;
    }

    /// <summary>Kills the server and every child (the whole session) at once, like a crash.</summary>
    public void Kill()
    {
        if (_process is { HasExited: false } p)
        {
            Run("kill", "-KILL", "--", "-" + p.Id.ToString(CultureInfo.InvariantCulture));
            p.WaitForExit(10_000);
        }
    }

    /// <summary>Starts the server again on the same port and folders.</summary>
    public Task RestartAsync() => StartProcessAsync();

    public string ReadLog() => File.Exists(LogPath) ? File.ReadAllText(LogPath) : "";

    public async ValueTask DisposeAsync()
    {
        Kill();
        _process?.Dispose();
        await Task.Yield();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private async Task StartProcessAsync()
    {
        var start = new ProcessStartInfo("setsid", [Binary, "-F", "-c", Path.Combine(Directory, "dovecot.conf")])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        _process = Process.Start(start)!;
        var listening = await Poll.UntilAsync(
            async () =>
            {
                try
                {
                    using var socket = new TcpClient();
                    await socket.ConnectAsync(IPAddress.Loopback, Port);
                    return true;
                }
                catch (SocketException)
                {
                    return false;
                }
            },
            TimeSpan.FromSeconds(20),
            () => _process.HasExited);
        if (listening)
        {
            return;
        }

        if (_process.HasExited)
        {
            throw new InvalidOperationException($"Dovecot exited with {_process.ExitCode}: {await _process.StandardError.ReadToEndAsync()} {ReadLog()}");
        }

        throw new InvalidOperationException("Dovecot did not listen within 20 s: " + ReadLog());
    }

    private void WriteConfig()
    {
        // As root, mail must belong to an unprivileged user (Dovecot refuses UID 0 mail access):
        // use the package's own 'dovecot' account; otherwise run everything as ourselves.
        var root = Environment.IsPrivilegedProcess;
        var (uid, gid) = root ? LookupUser("dovecot") : (int.Parse(Run("id", "-u"), CultureInfo.InvariantCulture), int.Parse(Run("id", "-g"), CultureInfo.InvariantCulture));
        var home = Path.Combine(Directory, "mail", User);
        System.IO.Directory.CreateDirectory(home);
        if (root)
        {
            Run("chown", "-R", $"{uid}:{gid}", Path.Combine(Directory, "mail"));
        }

        File.WriteAllText(Path.Combine(Directory, "passwd"),
            string.Create(CultureInfo.InvariantCulture, $"{User}:{{PLAIN}}{Password}:{uid}:{gid}::{home}\n"));
        var me = Environment.UserName;
        var runAs = root ? "" : $"""
            default_login_user = {me}
            default_internal_user = {me}
            default_internal_group = {me}
            service anvil {"{"}
              chroot =
            {"}"}
            service imap-login {"{"}
              chroot =
            {"}"}
            """;
        var ssl = Tls is null ? "ssl = no" : $"ssl = required\nssl_cert = <{Tls.ServerCertFile}\nssl_key = <{Tls.ServerKeyFile}";
        var oauth2 = "";
        if (IntrospectionUrl is not null)
        {
            var settings = Path.Combine(Directory, "oauth2.conf.ext");
            File.WriteAllText(settings, $"introspection_mode = post\nintrospection_url = {IntrospectionUrl}\nforce_introspection = yes\nusername_attribute = username\nactive_attribute = active\nactive_value = true\n");
            oauth2 = $"passdb {{\n  driver = oauth2\n  mechanisms = xoauth2 oauthbearer\n  args = {settings}\n}}";
        }

        File.WriteAllText(Path.Combine(Directory, "dovecot.conf"), $$"""
            protocols = imap
            listen = 127.0.0.1
            base_dir = {{Directory}}/run
            state_dir = {{Directory}}/run
            instance_name = crm-test-{{Port}}
            log_path = {{LogPath}}
            {{ssl}}
            disable_plaintext_auth = no
            auth_mechanisms = plain login{{(IntrospectionUrl is null ? "" : " xoauth2 oauthbearer")}}
            auth_failure_delay = 0
            mail_location = maildir:~/Maildir
            first_valid_uid = 1
            namespace inbox {
              inbox = yes
              mailbox Sent {
                special_use = \Sent
              }
            }
            {{oauth2}}
            passdb {
              driver = passwd-file
              args = scheme=PLAIN username_format=%u {{Directory}}/passwd
            }
            userdb {
              driver = passwd-file
              args = username_format=%u {{Directory}}/passwd
            }
            service imap-login {
              inet_listener imap {
                address = 127.0.0.1
                port = {{(Tls is null ? Port : 0)}}
              }
              inet_listener imaps {
                address = 127.0.0.1
                port = {{(Tls is null ? 0 : Port)}}
              }
            }
            service pop3-login {
              inet_listener pop3 {
                port = 0
              }
              inet_listener pop3s {
                port = 0
              }
            }
            service submission-login {
              inet_listener submission {
                port = 0
              }
            }
            service lmtp {
              unix_listener lmtp {
                mode = 0600
              }
            }
            {{runAs}}
            """);
    }

    private static (int Uid, int Gid) LookupUser(string name)
    {
        foreach (var line in File.ReadLines("/etc/passwd"))
        {
            var f = line.Split(':');
            if (f.Length > 3 && f[0] == name)
            {
                return (int.Parse(f[2], CultureInfo.InvariantCulture), int.Parse(f[3], CultureInfo.InvariantCulture));
            }
        }

        throw new InvalidOperationException($"No '{name}' user: is dovecot-core installed?");
    }

    private static string Run(string file, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardOutput = true, UseShellExecute = false })!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return output.Trim();
    }
}
