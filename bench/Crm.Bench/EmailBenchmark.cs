using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Crm.Pipeline.Jobs;
using Crm.Pipeline.Sources;
using Crm.Pipeline.Sources.Email;
using Crm.Pipeline.Warehouse;
using Crm.Worker.Hosting;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Security;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MimeKit;
using Npgsql;

namespace Crm.Bench;

/// <summary>
/// Email (issue 6): an mbox of N generated messages parsed three ways — MimeKit parse-only (the
/// baseline), parse + our extraction, and the full ingest into the warehouse — and M messages
/// synced from a real Dovecot on loopback, beside a plain MailKit fetch of the same messages.
/// Messages/s and the peak working set of each phase (sampled), with ratios to the baselines.
/// </summary>
internal static class EmailBenchmark
{
    public static async Task RunAsync(int mboxMessages, int imapMessages)
    {
        // Not CreateTempSubdirectory: its 0700 mode keeps the embedded PostgreSQL's own user out.
        var work = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "crm-bench-email-" + Guid.NewGuid().ToString("N")[..8])).FullName;
        try
        {
            var mbox = Path.Combine(work, "bench.mbox");
            var generate = Stopwatch.StartNew();
            var bytes = Generate(mbox, mboxMessages);
            Console.WriteLine($"email: generated an mbox of {mboxMessages:N0} messages ({bytes / 1024.0 / 1024.0:N1} MiB) in {generate.Elapsed.TotalSeconds:N1} s");

            var options = new EmailOptions { StaffDomains = ["shop.example"] };
            var baseline = Measure("mimekit parse only (baseline)", mboxMessages, () => ParseOnly(mbox));
            var extract = Measure("parse + extraction", mboxMessages, () => ParseAndExtract(mbox, options));
            var landed = Measure("ingester's mbox path, no database", mboxMessages, () => LandOnly(mbox, options));
            Print(baseline, baseline);
            Print(extract, baseline);
            Print(landed, baseline);

            await using var postgres = await EmbeddedPostgres.StartAsync(Path.Combine(work, "pg"), CancellationToken.None);
            await using (var db = await CreateDatabaseAsync(postgres, "bench_email_mbox"))
            {
                var ingester = new EmailFileIngester(db, new Monitor(options), NullLogger<EmailFileIngester>.Instance);
                IngestCounts counts = default;
                var full = await MeasureAsync("full ingest into the warehouse", mboxMessages, async () =>
                {
                    var results = await ingester.IngestAsync([mbox], null, NullProgressSink.Instance, CancellationToken.None);
                    counts = results.Aggregate(default(IngestCounts), (a, r) => a + r.Counts);
                });
                Print(full, baseline);
                Console.WriteLine($"  {counts}");
            }

            File.Delete(mbox);
            await using var dovecot = await BenchDovecot.StartAsync(Path.Combine(work, "dovecot"), imapMessages);
            var fetch = await MeasureAsync("mailkit fetch of every message (baseline)", imapMessages, () => dovecot.FetchAllAsync());
            await using (var db = await CreateDatabaseAsync(postgres, "bench_email_imap"))
            {
                var account = dovecot.Account();
                var syncer = new ImapSyncer(db, new Monitor(new EmailOptions { StaffDomains = ["shop.example"], Imap = { Accounts = { account } } }), NullLogger<ImapSyncer>.Instance, new Crm.Pipeline.Sources.Email.OAuth.ImapCredentials());
                IngestCounts counts = default;
                var sync = await MeasureAsync("imap sync into the warehouse", imapMessages, async () =>
                {
                    var results = await syncer.SyncAsync(account, null, NullProgressSink.Instance, CancellationToken.None);
                    counts = results.Aggregate(default(IngestCounts), (a, r) => a + r.Counts);
                });
                Print(fetch, fetch);
                Print(sync, fetch);
                Console.WriteLine($"  {counts}");
            }

            using var self = Process.GetCurrentProcess();
            Console.WriteLine($"email: process peak working set {self.PeakWorkingSet64 / 1024.0 / 1024.0:N0} MiB");
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static void Print(Phase phase, Phase baseline) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {phase.Name,-44} {phase.Count / phase.Seconds,10:N0} msg/s  ({phase.Seconds,6:N1} s)  x{(phase.Seconds > 0 ? baseline.Seconds / phase.Seconds : 0),5:N2} of baseline speed  peak working set {phase.PeakMiB,6:N0} MiB (baseline {baseline.PeakMiB:N0})"));

    private static long ParseOnly(string path)
    {
        using var stream = File.OpenRead(path);
        var parser = new MimeParser(stream, MimeFormat.Mbox, persistent: true);
        long n = 0;
        while (!parser.IsEndOfStream)
        {
            _ = parser.ParseMessage();
            n++;
        }

        return n;
    }

    /// <summary>
    /// The ingester's own mbox path (cut at the separators, each message parsed and extracted on the thread pool,
    /// written in file order) into a sink that only counts: everything of the email stage but the database.
    /// </summary>
    private static long LandOnly(string path, EmailOptions options)
    {
        var extractor = new EmailExtractor(options, IntentRules.Load(null));
        using var stream = File.OpenRead(path);
        var sink = new CountingSink();
        EmailFileIngester.LandMboxAsync(stream, path, extractor, sink, CancellationToken.None).GetAwaiter().GetResult();
        return sink.Count;
    }

    private sealed class CountingSink : IEmailSink
    {
        public long Count { get; private set; }

        public Task AddAsync(ParsedEmail email, string sourceKind, CancellationToken cancellationToken)
        {
            Count++;
            return Task.CompletedTask;
        }

        public void Quarantine(QuarantineRow row) => Count++;
    }

    private static long ParseAndExtract(string path, EmailOptions options)
    {
        var extractor = new EmailExtractor(options, IntentRules.Load(null));
        using var stream = File.OpenRead(path);
        var parser = new MimeParser(EmailExtractor.ParserOptions, stream, MimeFormat.Mbox, persistent: true);
        long n = 0;
        while (!parser.IsEndOfStream)
        {
            var message = parser.ParseMessage();
            _ = extractor.Extract(message, path, parser.MboxMarkerOffset, null, 0, out _);
            n++;
        }

        return n;
    }

    /// <summary>Writes an mbox of customer mails and staff replies in four languages, threaded.</summary>
    private static long Generate(string path, int count)
    {
        string[] bodies =
        [
            "Hello,\nmy order #{0} has not arrived yet. I am still waiting and quite disappointed.\nRegards",
            "Guten Tag,\nich möchte meine Bestellung {0} stornieren und bitte um Rückerstattung.\nGrüße",
            "Bonjour,\nmerci beaucoup pour la livraison rapide de la commande {0}.\nCordialement",
            "Hola,\n¿cuándo llega mi pedido {0}? Gracias.\nSaludos",
        ];
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 16) { NewLine = "\n" };
        var start = new DateTimeOffset(2026, 1, 1, 8, 0, 0, TimeSpan.Zero);
        for (var i = 0; i < count; i++)
        {
            var date = start.AddMinutes(i * 3);
            var staff = i % 3 == 2;
            var customer = $"customer{i / 3 % 20_000}@example{i % 7}.org";
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"From {(staff ? "agent@shop.example" : customer)} {date:ddd MMM dd HH:mm:ss yyyy}"));
            writer.WriteLine(staff ? "From: Agent Smith <agent@shop.example>" : $"From: Customer {i / 3} <{customer}>");
            writer.WriteLine(staff ? $"To: <customer{(i - 2) / 3 % 20_000}@example{(i - 2) % 7}.org>" : "To: Support <support@shop.example>");
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Date: {date:ddd, dd MMM yyyy HH:mm:ss} +0000"));
            writer.WriteLine($"Message-ID: <bench-{i}@example.org>");
            if (staff)
            {
                writer.WriteLine($"In-Reply-To: <bench-{i - 2}@example.org>");
                writer.WriteLine($"References: <bench-{i - 2}@example.org>");
            }

            writer.WriteLine(staff ? $"Subject: Re: Order {i - 2}" : $"Subject: =?UTF-8?Q?Order_{i}_=E2=80=93_question?=");
            writer.WriteLine("MIME-Version: 1.0");
            if (i % 10 == 5)
            {
                writer.WriteLine("Content-Type: text/html; charset=UTF-8");
                writer.WriteLine();
                writer.WriteLine($"<html><body><p>{string.Format(CultureInfo.InvariantCulture, bodies[i % 4], i).Replace("\n", "<br>", StringComparison.Ordinal)}</p></body></html>");
            }
            else
            {
                writer.WriteLine("Content-Type: text/plain; charset=UTF-8");
                writer.WriteLine("Content-Transfer-Encoding: 8bit");
                writer.WriteLine();
                writer.WriteLine(staff ? $"Thank you for your message, we are on it.\n\nOn {date:yyyy-MM-dd}, Customer wrote:\n> {string.Format(CultureInfo.InvariantCulture, bodies[(i - 2) % 4], i - 2).Replace("\n", "\n> ", StringComparison.Ordinal)}" : string.Format(CultureInfo.InvariantCulture, bodies[i % 4], i));
            }

            writer.WriteLine();
        }

        writer.Flush();
        return writer.BaseStream.Length;
    }

    private static Task<NpgsqlDataSource> CreateDatabaseAsync(EmbeddedPostgres postgres, string name) =>
        BenchEnvironment.CreateDatabaseAsync(postgres.ConnectionString, name);

    private static Phase Measure(string name, long count, Func<long> action) =>
        MeasureAsync(name, count, () =>
        {
            var n = action();
            if (n != count)
            {
                throw new InvalidOperationException($"{name}: parsed {n} messages, expected {count}");
            }

            return Task.CompletedTask;
        }).GetAwaiter().GetResult();

    /// <summary>Runs a phase while a sampler records the highest working set seen during it.</summary>
    private static async Task<Phase> MeasureAsync(string name, long count, Func<Task> action)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long peak = 0;
        using var stop = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            using var self = Process.GetCurrentProcess();
            while (!stop.IsCancellationRequested)
            {
                self.Refresh();
                peak = Math.Max(peak, self.WorkingSet64);
                try
                {
                    await Task.Delay(20, stop.Token);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        });
        var watch = Stopwatch.StartNew();
        await action();
        watch.Stop();
        await stop.CancelAsync();
        await sampler;
        return new Phase(name, count, watch.Elapsed.TotalSeconds, peak / 1024.0 / 1024.0);
    }

    private sealed record Phase(string Name, long Count, double Seconds, double PeakMiB);

    private sealed class Monitor(EmailOptions value) : IOptionsMonitor<EmailOptions>
    {
        public EmailOptions CurrentValue => value;

        public EmailOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<EmailOptions, string?> listener) => null;
    }

    /// <summary>Dovecot on loopback with a Maildir pre-seeded with generated messages (Debian's dovecot-imapd).</summary>
    private sealed class BenchDovecot : IAsyncDisposable
    {
        private const string User = "bench";
        private const string Password = "bench-pass";
        private readonly Process _process;
        private readonly int _port;

        private BenchDovecot(Process process, int port)
        {
            _process = process;
            _port = port;
        }

        public static async Task<BenchDovecot> StartAsync(string directory, int messages)
        {
            var home = Path.Combine(directory, "mail", User);
            var cur = Directory.CreateDirectory(Path.Combine(home, "Maildir", "cur")).FullName;
            Directory.CreateDirectory(Path.Combine(home, "Maildir", "new"));
            Directory.CreateDirectory(Path.Combine(home, "Maildir", "tmp"));
            Directory.CreateDirectory(Path.Combine(directory, "run"));
            var start = new DateTimeOffset(2026, 1, 1, 8, 0, 0, TimeSpan.Zero);
            for (var i = 0; i < messages; i++)
            {
                var date = start.AddMinutes(i);
                await File.WriteAllTextAsync(Path.Combine(cur, string.Create(CultureInfo.InvariantCulture, $"{1_700_000_000 + i}.M{i}P1.bench:2,")),
                    $"From: Customer {i} <c{i % 5000}@example.org>\r\nTo: support@shop.example\r\nSubject: Question {i}\r\n" +
                    string.Create(CultureInfo.InvariantCulture, $"Date: {date:ddd, dd MMM yyyy HH:mm:ss} +0000\r\nMessage-ID: <imap-{i}@example.org>\r\n") +
                    $"Content-Type: text/plain; charset=UTF-8\r\n\r\nHello, where is my order {i}? I want a refund if it does not come.\r\n");
            }

            var root = Environment.IsPrivilegedProcess;
            var (uid, gid) = root ? LookupUser("dovecot") : (int.Parse(Run("id", "-u"), CultureInfo.InvariantCulture), int.Parse(Run("id", "-g"), CultureInfo.InvariantCulture));
            if (root)
            {
                Run("chown", "-R", $"{uid}:{gid}", Path.Combine(directory, "mail"));
            }

            var port = FreePort();
            await File.WriteAllTextAsync(Path.Combine(directory, "passwd"), string.Create(CultureInfo.InvariantCulture, $"{User}:{{PLAIN}}{Password}:{uid}:{gid}::{home}\n"));
            var me = Environment.UserName;
            var runAs = root ? "" : $"default_login_user = {me}\ndefault_internal_user = {me}\ndefault_internal_group = {me}\nservice anvil {{\n  chroot =\n}}\nservice imap-login {{\n  chroot =\n}}\n";
            var config = Path.Combine(directory, "dovecot.conf");
            await File.WriteAllTextAsync(config, $$"""
                protocols = imap
                listen = 127.0.0.1
                base_dir = {{directory}}/run
                state_dir = {{directory}}/run
                instance_name = crm-bench-{{port}}
                log_path = {{directory}}/dovecot.log
                ssl = no
                disable_plaintext_auth = no
                auth_mechanisms = plain
                mail_location = maildir:~/Maildir
                first_valid_uid = 1
                passdb {
                  driver = passwd-file
                  args = scheme=PLAIN username_format=%u {{directory}}/passwd
                }
                userdb {
                  driver = passwd-file
                  args = username_format=%u {{directory}}/passwd
                }
                service imap-login {
                  inet_listener imap {
                    address = 127.0.0.1
                    port = {{port}}
                  }
                  inet_listener imaps {
                    port = 0
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
            var process = Process.Start(new ProcessStartInfo("setsid", ["/usr/sbin/dovecot", "-F", "-c", config]) { UseShellExecute = false })!;
            for (var attempt = 0; attempt < 200; attempt++)
            {
                try
                {
                    using var socket = new TcpClient();
                    await socket.ConnectAsync(IPAddress.Loopback, port);
                    var server = new BenchDovecot(process, port);
                    await server.WarmUpAsync();
                    return server;
                }
                catch (SocketException)
                {
                    await Task.Delay(100);
                }
            }

            throw new InvalidOperationException("Dovecot did not start; is dovecot-imapd installed?");
        }

        public ImapAccountOptions Account() => new()
        {
            Name = "bench",
            Host = "127.0.0.1",
            Port = _port,
            Tls = ImapTlsMode.None,
            User = User,
            Password = Password,
            BatchSize = 500,
        };

        /// <summary>The baseline: the same per-message fetch (BODY.PEEK[] into a MimeMessage), nothing else.</summary>
        public async Task FetchAllAsync()
        {
            using var client = await ConnectAsync();
            await client.Inbox.OpenAsync(FolderAccess.ReadOnly);
            foreach (var uid in await client.Inbox.SearchAsync(MailKit.Search.SearchQuery.All))
            {
                _ = await client.Inbox.GetMessageAsync(uid);
            }

            await client.DisconnectAsync(true);
        }

        public async ValueTask DisposeAsync()
        {
            Run("kill", "-KILL", "--", "-" + _process.Id.ToString(CultureInfo.InvariantCulture));
            await _process.WaitForExitAsync();
            _process.Dispose();
        }

        /// <summary>Lets Dovecot index the Maildir once, outside the measured phases.</summary>
        private async Task WarmUpAsync()
        {
            using var client = await ConnectAsync();
            await client.Inbox.OpenAsync(FolderAccess.ReadOnly);
            _ = await client.Inbox.FetchAsync(0, -1, MessageSummaryItems.UniqueId | MessageSummaryItems.Size);
            await client.DisconnectAsync(true);
        }

        private async Task<ImapClient> ConnectAsync()
        {
            var client = new ImapClient();
            await client.ConnectAsync("127.0.0.1", _port, SecureSocketOptions.None);
            await client.AuthenticateAsync(User, Password);
            return client;
        }

        private static (int Uid, int Gid) LookupUser(string name)
        {
            var f = File.ReadLines("/etc/passwd").Select(l => l.Split(':')).First(f => f.Length > 3 && f[0] == name);
            return (int.Parse(f[2], CultureInfo.InvariantCulture), int.Parse(f[3], CultureInfo.InvariantCulture));
        }

        private static int FreePort()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        private static string Run(string file, params string[] args)
        {
            using var process = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardOutput = true, UseShellExecute = false })!;
            var output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return output.Trim();
        }
    }
}
