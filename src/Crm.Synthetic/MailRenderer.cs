using System.Globalization;
using System.Text;
using MimeKit;
using MimeKit.Text;

namespace Crm.Synthetic;

/// <summary>
/// Phase 2 for email, built with MimeKit: inbound customer mail (questions, complaints,
/// cancellation requests, replies in threads) in the customer's language, staff replies from
/// <c>support@shop.example</c>, and campaigns with a tracking link. A share goes to
/// <c>email/eml/*.eml</c> (CRLF), the rest to monthly <c>email/mbox/{support,sent,campaigns}-YYYY-MM.mbox</c>.
/// </summary>
/// <remarks>
/// MimeKit fills in a random Message-ID, the current Date and random multipart boundaries by
/// default; every one of them is set here from the seed so output stays byte-identical.
/// </remarks>
internal sealed class MailRenderer : IDisposable
{
    private const string StaffDomain = WebVocabulary.ShopDomain;
    private static readonly string[] FaultKinds = ["no_date", "undeclared_charset", "truncated", "duplicate_delivery"];

    private readonly GeneratorOptions _o;
    private readonly string _root;
    private readonly TruthWriter _truth;
    private readonly FormatOptions _emlFormat;
    private readonly FormatOptions _mboxFormat;
    private readonly MemoryStream _buffer = new(1 << 16);
    private readonly Dictionary<string, OutputFile> _mboxes = new(StringComparer.Ordinal);
    private string _month = "";
    private OutputFile? _sends;
    private string _sendsMonth = "";

    public MailRenderer(GeneratorOptions options, string root, TruthWriter truth)
    {
        _o = options;
        _root = root;
        _truth = truth;
        _emlFormat = FormatOptions.Default.Clone();
        _emlFormat.NewLineFormat = NewLineFormat.Dos;
        _mboxFormat = FormatOptions.Default.Clone();
        _mboxFormat.NewLineFormat = NewLineFormat.Unix;
        Directory.CreateDirectory(Path.Combine(root, "email", "eml"));
        Directory.CreateDirectory(Path.Combine(root, "email", "mbox"));
    }

    public long Messages { get; private set; }

    public long Bytes { get; private set; }

    public void Render(in SpoolEvent e, Person person, Identity id)
    {
        var rng = Prng.For(e.Seed, 0xE1, e.Step);
        var kind = (MailKind)e.Sub;
        var utc = new DateTime(e.Ticks, DateTimeKind.Utc);
        var fault = rng.Chance(_o.EmailFaultRate) ? FaultKinds[rng.Next(FaultKinds.Length)] : null;
        MimeMessage message;
        string mailbox;
        if (kind == MailKind.Campaign)
        {
            message = Campaign(e, person, id, utc, ref rng);
            mailbox = "campaigns";
        }
        else
        {
            message = ThreadMessage(e, person, id, kind, utc, ref rng, fault);
            mailbox = e.Step % 2 == 0 ? "support" : "sent";
        }

        if (fault == "no_date")
        {
            message.Headers.Remove(HeaderId.Date);
        }

        var asEml = rng.Chance(_o.EmlShare) || fault == "truncated";
        var month = utc.ToString("yyyy-MM", CultureInfo.InvariantCulture);
        if (month != _month)
        {
            CloseMboxes();
            _month = month;
        }

        if (asEml || fault == "duplicate_delivery")
        {
            _buffer.SetLength(0);
            message.WriteTo(_emlFormat, _buffer);
            var length = (int)_buffer.Length;
            if (fault == "truncated")
            {
                length = length * 3 / 5;
            }

            var name = "email/eml/" + utc.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture) + "-" + Prng.Mix(e.Seed, e.Step).ToString("x16", CultureInfo.InvariantCulture) + ".eml";
            using (var file = new FileStream(Path.Combine(_root, name), FileMode.Create, FileAccess.Write, FileShare.None, 1))
            {
                file.Write(_buffer.GetBuffer(), 0, length);
            }

            Bytes += length;
            Messages++;
            if (fault is "no_date" or "undeclared_charset" or "truncated")
            {
                _truth.Fault(fault, name, 0, "message " + message.MessageId);
            }
            else if (fault == "duplicate_delivery")
            {
                _truth.Fault(fault, name, 0, $"message {message.MessageId} is also in email/mbox/{mailbox}-{month}.mbox");
            }
        }

        if (!asEml || fault == "duplicate_delivery")
        {
            var mbox = Mbox(mailbox, month);
            var b = new ByteBuffer(128);
            var from = message.From.Mailboxes.FirstOrDefault()?.Address ?? "MAILER-DAEMON";
            b.Ascii("From "u8);
            b.Utf8(from);
            b.Byte((byte)' ');
            // asctime(3) layout: "Thu Jan  2 09:05:00 2025".
            b.Ascii(Encoding.ASCII.GetBytes(utc.ToString("ddd MMM ", CultureInfo.InvariantCulture)
                + utc.Day.ToString(CultureInfo.InvariantCulture).PadLeft(2) + utc.ToString(" HH:mm:ss yyyy", CultureInfo.InvariantCulture)));
            var separatorLine = mbox.Lines + 1;
            mbox.WriteLine(b.Written);
            _buffer.SetLength(0);
            message.WriteTo(_mboxFormat, _buffer);
            var bytes = _buffer.GetBuffer().AsSpan(0, (int)_buffer.Length);
            // mboxrd: a body line starting with "From " gets a '>' so it is not read as a separator.
            var escaped = EscapeFromLines(bytes);
            mbox.Write(escaped);
            mbox.Lines += escaped.AsSpan().Count((byte)'\n');
            if (escaped.Length > 0 && escaped[^1] != (byte)'\n')
            {
                mbox.WriteLine([]);
            }

            mbox.WriteLine([]);
            Messages += fault == "duplicate_delivery" ? 0 : 1;
            if (fault is "no_date" or "undeclared_charset")
            {
                _truth.Fault(fault, mbox.RelativePath, separatorLine, "message " + message.MessageId);
            }
        }
    }

    private static byte[] EscapeFromLines(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IndexOf("\nFrom "u8) < 0 && bytes.IndexOf("\n>From "u8) < 0)
        {
            return bytes.ToArray();
        }

        var text = Encoding.Latin1.GetString(bytes);
        var escaped = System.Text.RegularExpressions.Regex.Replace(text, "\n(>*From )", "\n>$1");
        return Encoding.Latin1.GetBytes(escaped);
    }

    private OutputFile Mbox(string mailbox, string month)
    {
        if (!_mboxes.TryGetValue(mailbox, out var file))
        {
            file = new OutputFile(_root, "email/mbox/" + mailbox + "-" + month + ".mbox", gzip: false);
            _mboxes[mailbox] = file;
        }

        return file;
    }

    private void CloseMboxes()
    {
        foreach (var key in _mboxes.Keys.Order(StringComparer.Ordinal).ToList())
        {
            Bytes += _mboxes[key].Bytes;
            _mboxes[key].Dispose();
        }

        _mboxes.Clear();
    }

    private MimeMessage ThreadMessage(in SpoolEvent e, Person person, Identity id, MailKind kind, DateTime utc, ref Prng rng, string? fault)
    {
        var lang = MailTemplates.For(person.Language);
        var pick = Prng.For(e.Seed, 0xE2, 0); // the thread's own choices, the same for every message of it
        var (subjects, bodies) = kind switch
        {
            MailKind.Question => (lang.QuestionSubjects, lang.QuestionBodies),
            MailKind.Complaint => (lang.ComplaintSubjects, lang.ComplaintBodies),
            _ => (lang.CancelSubjects, lang.CancelBodies),
        };
        var subject = pick.Pick(subjects);
        var firstBody = pick.Pick(bodies).Replace("{name}", id.Given, StringComparison.Ordinal);
        var staff = pick.Pick(MailTemplates.Staff);
        var customerDomain = id.Email[(id.Email.IndexOf('@', StringComparison.Ordinal) + 1)..];
        var customer = new MailboxAddress(pick.Chance(0.1) ? null : id.NameSpaced, id.Email);
        var support = new MailboxAddress(staff, "support@" + StaffDomain);

        var message = NewMessage();
        var fromCustomer = e.Step % 2 == 0;
        message.From.Add(fromCustomer ? customer : support);
        message.To.Add(fromCustomer ? new MailboxAddress("shop.example Support", "support@" + StaffDomain) : customer);
        message.MessageId = MessageId(e.Seed, e.Step, fromCustomer ? customerDomain : StaffDomain);
        for (byte s = 0; s < e.Step; s++)
        {
            message.References.Add(MessageId(e.Seed, s, s % 2 == 0 ? customerDomain : StaffDomain));
        }

        if (e.Step > 0)
        {
            message.InReplyTo = MessageId(e.Seed, (byte)(e.Step - 1), (e.Step - 1) % 2 == 0 ? customerDomain : StaffDomain);
        }

        message.Subject = e.Step == 0 ? subject : (fromCustomer ? lang.ReplyPrefix : "Re: ") + subject;
        var offset = fromCustomer
            ? LocalTime.OffsetMinutes(person.Culture.UtcOffsetMinutes, person.Culture.DstRule, utc)
            : LocalTime.OffsetMinutes(60, "eu", utc);
        message.Date = new DateTimeOffset(utc.AddMinutes(offset).Ticks, TimeSpan.FromMinutes(offset));

        string text;
        if (e.Step == 0)
        {
            text = firstBody;
        }
        else if (fromCustomer)
        {
            text = pick.Pick(lang.FollowUps) + "\n\n" + id.Given;
        }
        else
        {
            text = lang.Greeting.Replace("{name}", id.NameSpaced, StringComparison.Ordinal) + "\n\n"
                + (e.Step == 1 ? lang.StaffReply : lang.StaffFollowUp) + "\n\n" + lang.Regards + "\n" + staff + "\nshop.example";
        }

        if (e.Step > 0)
        {
            text += "\n\n" + Quote(firstBody, lang, id.NameSpaced);
        }

        MimeEntity body;
        if (fault == "undeclared_charset")
        {
            // 8-bit Latin-1 text with no charset at all, as old mail clients sent it.
            var part = new MimePart("text", "plain")
            {
                Content = new MimeContent(new MemoryStream(Encoding.Latin1.GetBytes(text))),
                ContentTransferEncoding = ContentEncoding.EightBit,
            };
            body = part;
        }
        else if (!fromCustomer)
        {
            body = Alternative(e.Seed ^ e.Step, text, ref rng);
        }
        else
        {
            body = Plain(text, ref rng);
        }

        if (fromCustomer && e.Step == 0 && (kind == MailKind.Complaint ? rng.Chance(0.3) : rng.Chance(0.08)))
        {
            var mixed = new Multipart("mixed") { Boundary = Boundary(e.Seed, 0x3A) };
            mixed.Add(body);
            mixed.Add(Attachment(kind, ref rng, person.Language));
            body = mixed;
        }

        message.Body = body;
        return message;
    }

    private MimeMessage Campaign(in SpoolEvent e, Person person, Identity id, DateTime utc, ref Prng rng)
    {
        var lang = MailTemplates.For(person.Language);
        var slugDate = _o.Start.AddDays(3 + e.Extra * _o.CampaignEveryDays);
        var season = WebRenderer.Seasons[slugDate.Month - 1].Replace('-', ' ');
        var slug = WebRenderer.Seasons[slugDate.Month - 1] + "-" + slugDate.Year.ToString(CultureInfo.InvariantCulture) + "-c" + (e.Extra + 1).ToString(CultureInfo.InvariantCulture);
        var token = Lifecycle.Token(_o.Seed, person.Index, e.Extra);
        var link = "https://www." + StaffDomain + "/landing/" + slug + "?utm_source=email&utm_medium=email&utm_campaign=" + slug + "&crm_tid=" + token;
        var message = NewMessage();
        message.From.Add(new MailboxAddress("shop.example", "news@" + StaffDomain));
        message.To.Add(new MailboxAddress(id.NameSpaced, id.Email));
        message.Subject = rng.Pick(lang.CampaignSubjects).Replace("{season}", season, StringComparison.Ordinal);
        message.MessageId = MessageId(e.Seed, 0xCA, "news." + StaffDomain);
        message.Date = new DateTimeOffset(utc.AddMinutes(60).Ticks, TimeSpan.FromMinutes(60));
        message.Headers.Add("List-Unsubscribe", "<https://www." + StaffDomain + "/unsubscribe?crm_tid=" + token + ">");
        message.Headers.Add("X-Campaign", slug);
        var text = lang.CampaignBody.Replace("{name}", id.Given, StringComparison.Ordinal).Replace("{season}", season, StringComparison.Ordinal).Replace("{link}", link, StringComparison.Ordinal);
        message.Body = Alternative(e.Seed, text, ref rng);
        Sent(utc, slug, id.Email, token);
        return message;
    }

    /// <summary>
    /// The campaign tool's send log, as such tools export it (one row per recipient, the token in the
    /// recipient's links beside the address), monthly <c>campaigns/sends-YYYY-MM.csv</c>. It is what
    /// lets the platform turn a clicked link's opaque <c>crm_tid</c> into the address it was sent to.
    /// </summary>
    private void Sent(DateTime utc, string campaign, string email, string token)
    {
        var month = utc.ToString("yyyy-MM", CultureInfo.InvariantCulture);
        if (_sends is null || month != _sendsMonth)
        {
            _sends?.Dispose();
            _sends = new OutputFile(_root, "campaigns/sends-" + month + ".csv", gzip: false);
            _sends.WriteLine("campaign,sent_at,email,tracking_token"u8);
            _sendsMonth = month;
        }

        _sends.WriteLine(Encoding.UTF8.GetBytes(campaign + "," + utc.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) + "," + email + "," + token));
    }

    private static MimeMessage NewMessage()
    {
        var m = new MimeMessage();
        m.Headers.Remove(HeaderId.Date);
        return m;
    }

    private static string Quote(string original, MailTemplates.Language lang, string who)
    {
        var sb = new StringBuilder();
        sb.Append(who).Append(' ').Append(lang.Wrote).Append(":\n");
        foreach (var line in original.Split('\n'))
        {
            sb.Append("> ").Append(line).Append('\n');
        }

        return sb.ToString().TrimEnd('\n');
    }

    private static TextPart Plain(string text, ref Prng rng)
    {
        var part = new TextPart(TextFormat.Plain);
        part.SetText(rng.Chance(0.15) && CanLatin1(text) ? "iso-8859-1" : "utf-8", text);
        part.ContentTransferEncoding = IsAscii(text) ? ContentEncoding.SevenBit : rng.Chance(0.7) ? ContentEncoding.QuotedPrintable : ContentEncoding.Base64;
        return part;
    }

    private static MultipartAlternative Alternative(ulong seed, string text, ref Prng rng)
    {
        var html = new TextPart(TextFormat.Html);
        var sb = new StringBuilder("<html><body>");
        foreach (var paragraph in text.Split("\n\n"))
        {
            sb.Append("<p>").Append(System.Net.WebUtility.HtmlEncode(paragraph).Replace("\n", "<br>", StringComparison.Ordinal)).Append("</p>");
        }

        sb.Append("</body></html>");
        html.SetText("utf-8", sb.ToString());
        html.ContentTransferEncoding = rng.Chance(0.5) ? ContentEncoding.QuotedPrintable : ContentEncoding.Base64;
        var alternative = new MultipartAlternative { Boundary = Boundary(seed, 0xA1) };
        alternative.Add(Plain(text, ref rng));
        alternative.Add(html);
        return alternative;
    }

    private static MimePart Attachment(MailKind kind, ref Prng rng, string language)
    {
        byte[] content;
        MimePart part;
        if (kind == MailKind.Complaint)
        {
            content = new byte[2000 + rng.Next(4000)];
            for (var i = 0; i < content.Length; i++)
            {
                content[i] = (byte)rng.Next(256);
            }

            // A JPEG's start and end markers around noise: enough for anything that sniffs types.
            content[0] = 0xFF; content[1] = 0xD8; content[2] = 0xFF; content[3] = 0xE0;
            content[^2] = 0xFF; content[^1] = 0xD9;
            part = new MimePart("image", "jpeg") { FileName = language == "de" ? "Schaden_Foto_März.jpg" : language == "fr" ? "photo_dégât.jpg" : "photo_damage.jpg" };
        }
        else
        {
            content = Encoding.ASCII.GetBytes("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n");
            part = new MimePart("application", "pdf") { FileName = language == "de" ? "Rechnung_Größe.pdf" : "invoice.pdf" };
        }

        part.Content = new MimeContent(new MemoryStream(content));
        part.ContentDisposition = new ContentDisposition(ContentDisposition.Attachment) { FileName = part.FileName };
        part.ContentTransferEncoding = ContentEncoding.Base64;
        return part;
    }

    private static string MessageId(ulong seed, byte step, string domain) =>
        Prng.Mix(seed, step).ToString("x16", CultureInfo.InvariantCulture) + "." + step.ToString(CultureInfo.InvariantCulture) + "@" + domain;

    private static string Boundary(ulong seed, ulong salt) => "=-" + Prng.Mix(seed, salt).ToString("x16", CultureInfo.InvariantCulture) + "-crm";

    private static bool IsAscii(string s)
    {
        foreach (var c in s)
        {
            if (c > 0x7F)
            {
                return false;
            }
        }

        return true;
    }

    private static bool CanLatin1(string s)
    {
        foreach (var c in s)
        {
            if (c > 0xFF)
            {
                return false;
            }
        }

        return true;
    }

    public void Finish() => CloseMboxes();

    public void Dispose()
    {
        CloseMboxes();
        _sends?.Dispose();
    }
}
