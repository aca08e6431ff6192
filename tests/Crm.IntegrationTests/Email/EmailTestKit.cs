using Crm.Pipeline.Sources.Email;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MimeKit;
using Npgsql;

namespace Crm.IntegrationTests.Email;

/// <summary>Builds test messages and the email services over a test database.</summary>
internal static class EmailTestKit
{
    public const string StaffDomain = "shop.example";

    public static EmailOptions Options(params ImapAccountOptions[] accounts)
    {
        var options = new EmailOptions { StaffDomains = [StaffDomain] };
        options.Imap.Accounts.AddRange(accounts);
        return options;
    }

    public static EmailFileIngester Files(NpgsqlDataSource dataSource, EmailOptions? options = null) =>
        new(dataSource, new Monitor(options ?? Options()), NullLogger<EmailFileIngester>.Instance);

    public static ImapSyncer Imap(NpgsqlDataSource dataSource, EmailOptions options) =>
        new(dataSource, new Monitor(options), NullLogger<ImapSyncer>.Instance, new Crm.Pipeline.Sources.Email.OAuth.ImapCredentials());

    /// <summary>A customer message (or a staff one when <paramref name="from"/> is at the staff domain).</summary>
    public static MimeMessage Message(int n, string from = "customer{0}@example.org", string? inReplyTo = null, string? text = null)
    {
        var message = new MimeMessage();
        var sender = string.Format(System.Globalization.CultureInfo.InvariantCulture, from, n);
        message.From.Add(new MailboxAddress($"Sender {n}", sender));
        message.To.Add(new MailboxAddress("Support", "support@" + StaffDomain));
        message.Subject = $"Question {n}";
        message.Date = new DateTimeOffset(2026, 11, 1, 8, 0, 0, TimeSpan.FromHours(1)).AddMinutes(n);
        message.MessageId = $"m{n}@test.example";
        if (inReplyTo is not null)
        {
            message.InReplyTo = inReplyTo;
            message.References.Add(inReplyTo);
        }

        message.Body = new TextPart("plain") { Text = text ?? $"Hello, this is message number {n}." };
        return message;
    }

    private sealed class Monitor(EmailOptions value) : IOptionsMonitor<EmailOptions>
    {
        public EmailOptions CurrentValue => value;

        public EmailOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<EmailOptions, string?> listener) => null;
    }
}
