using Crm.Pipeline.Sources.Email;
using MimeKit;

namespace Crm.Tests.Email;

/// <summary>Pure pieces of the email source: intent rules, quote splitting, HTML to text, extraction (issue 6).</summary>
public sealed class EmailTextTests
{
    private static readonly IntentRules Rules = IntentRules.Load(null);

    [Theory]
    [InlineData("I want to cancel my subscription", "cancellation")]
    [InlineData("Ich möchte meinen Vertrag KÜNDIGEN.", "cancellation")]
    [InlineData("Je souhaite résilier mon abonnement", "cancellation")]
    [InlineData("Quiero darme de baja", "cancellation")]
    [InlineData("Please send me a refund", "refund")]
    [InlineData("Bitte um Rückerstattung", "refund")]
    [InlineData("J'attends mon remboursement", "refund")]
    [InlineData("Solicito un reembolso", "refund")]
    [InlineData("I am very disappointed", "complaint")]
    [InlineData("Ich bin enttäuscht", "complaint")]
    [InlineData("Je suis décu", "complaint")]
    [InlineData("Es inaceptable", "complaint")]
    [InlineData("Thank you so much, great service", "praise")]
    [InlineData("Vielen Dank!", "praise")]
    [InlineData("Merci beaucoup", "praise")]
    [InlineData("Muchas gracias", "praise")]
    public void Match_PhraseInAnyLanguage_TagsItsIntent(string text, string intent) =>
        Assert.Equal([intent], Rules.Match(text));

    [Fact]
    public void Match_WordInsideAnotherWord_DoesNotTag() =>
        Assert.Empty(Rules.Match("The hypercancel button and a precancellation notice")); // no word start

    [Fact]
    public void Match_SeveralIntents_ReturnsThemSorted() =>
        Assert.Equal(["cancellation", "refund"], Rules.Match("Cancel the order and refund me"));

    [Fact]
    public void Split_AttributionLine_SeparatesTheQuotedReply()
    {
        var (fresh, quoted) = QuoteSplitter.Split("Thanks, done.\n\nOn Mon, 2 Nov 2026 at 10:00, Ann <a@x.org> wrote:\n> old text\n> more");

        Assert.Equal("Thanks, done.", fresh);
        Assert.StartsWith("On Mon", quoted, StringComparison.Ordinal);
        Assert.Contains("> more", quoted, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Am 23.11.2026 um 08:12 schrieb Anna <a@b.de>:")]
    [InlineData("Le 21/11/2026 à 18:30, Jean Dupont a écrit :")]
    [InlineData("El 21 nov 2026, María escribió:")]
    [InlineData("-----Original Message-----")]
    [InlineData("-----Ursprüngliche Nachricht-----")]
    public void Split_AttributionInEachLanguage_StartsTheQuote(string attribution)
    {
        var (fresh, quoted) = QuoteSplitter.Split("New text\n" + attribution + "\nold text");

        Assert.Equal("New text", fresh);
        Assert.EndsWith("old text", quoted, StringComparison.Ordinal);
    }

    [Fact]
    public void Split_InterleavedQuotes_KeepsTheAnswers()
    {
        var (fresh, quoted) = QuoteSplitter.Split("> question one?\nanswer one\n> question two?\nanswer two");

        Assert.Equal("answer one\nanswer two", fresh);
        Assert.Equal("> question one?\n> question two?", quoted);
    }

    [Fact]
    public void HtmlText_DropsTagsScriptsAndDecodesEntities()
    {
        var text = HtmlText.Convert("<html><head><style>p{}</style></head><body><p>Caf&eacute; &amp; th&eacute;</p><script>x()</script><div>line two</div><blockquote>quoted</blockquote></body></html>");

        Assert.Equal("Café & thé\nline two\n> quoted", text);
    }

    [Theory]
    [InlineData("  John.Doe@Example.COM ", "john.doe@example.com")]
    [InlineData("<a@b.c>", "a@b.c")]
    [InlineData("not an address", null)]
    [InlineData("@nouser", null)]
    public void NormaliseAddress_TrimsAndLowerCases(string raw, string? expected) =>
        Assert.Equal(expected, EmailExtractor.NormaliseAddress(raw));

    [Fact]
    public void Extract_SameMessageWithOtherTransportHeadersAndLineEndings_HashesTheSame()
    {
        var extractor = new EmailExtractor(new EmailOptions { StaffDomains = ["shop.example"] }, Rules);
        const string text = "From: Ann <ann@example.org>\r\nTo: support@shop.example\r\nSubject: hi\r\nDate: Tue, 03 Nov 2026 10:00:00 +0100\r\nMessage-ID: <x@y>\r\n\r\nhello\r\n";
        var a = extractor.Extract(Parse(text), "a", null, null, 0, out _)!;
        var b = extractor.Extract(Parse("Received: from relay; Tue, 03 Nov 2026 10:00:05 +0100\r\nX-Spam: no\r\n" + text.Replace("\r\n", "\n", StringComparison.Ordinal) + "\n"), "b", null, null, 0, out _)!;
        var c = extractor.Extract(Parse(text.Replace("hello", "hello!", StringComparison.Ordinal)), "c", null, null, 0, out _)!;

        Assert.Equal(a.ContentHash, b.ContentHash);
        Assert.NotEqual(a.ContentHash, c.ContentHash);
        Assert.Equal("inbound", a.Direction);
        Assert.Equal(new DateTime(2026, 11, 3, 9, 0, 0, DateTimeKind.Utc), a.SentAtUtc);
        Assert.Equal(["ann@example.org"], a.External.Addresses);
    }

    [Fact]
    public void Extract_StaffSender_IsOutbound_AndTheCustomerIsTheFirstExternalRecipient()
    {
        var extractor = new EmailExtractor(new EmailOptions { StaffDomains = ["shop.example"] }, Rules);
        var email = extractor.Extract(Parse("From: Bo <bo@eu.shop.example>\r\nTo: colleague@shop.example, Kim <KIM@Example.org>\r\nSubject: Re: x\r\nIn-Reply-To: <p@q>\r\n\r\nok\r\n"), "x", null, null, 0, out _)!;

        Assert.Equal("outbound", email.Direction);
        Assert.Equal("kim@example.org", email.CustomerAddress);
        Assert.Equal("p@q", email.ThreadRoot);
        Assert.True(email.DateMissing);
    }

    private static MimeMessage Parse(string text) =>
        MimeMessage.Load(EmailExtractor.ParserOptions, new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text)));
}
