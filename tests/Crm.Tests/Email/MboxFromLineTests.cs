using Crm.Pipeline.Sources.Email;

namespace Crm.Tests.Email;

/// <summary>The date of an mbox separator line, which dates a message without a Date header (issue 16).</summary>
public sealed class MboxFromLineTests
{
    [Theory]
    [InlineData("From anna@example.org Mon Nov  2 09:15:07 2026", "2026-11-02T09:15:07+00:00")]           // asctime: Postfix, mutt
    [InlineData("anna@example.org Mon Nov  2 09:15:07 2026", "2026-11-02T09:15:07+00:00")]                // without "From "
    [InlineData("From 1680000000000000000@xxx Thu Sep 24 17:10:21 +0000 2020", "2020-09-24T17:10:21+00:00")] // Gmail's export
    [InlineData("From - Sat Jan  3 01:05:34 1998", "1998-01-03T01:05:34+00:00")]                           // Thunderbird
    [InlineData("From MAILER-DAEMON Fri Jul  8 12:08:34 2011 -0700", "2011-07-08T12:08:34-07:00")]
    [InlineData("From bob@example.org Tue Mar 5 8:02 2024 UTC", "2024-03-05T08:02:00+00:00")]
    [InlineData("From bob@example.org Tue, 05 Mar 2024 08:02:00 +0100", "2024-03-05T08:02:00+01:00")]      // RFC 5322
    public void TryParseDate_EachSeparatorForm_GivesItsTime(string marker, string expected)
    {
        Assert.True(MboxFromLine.TryParseDate(marker, out var date));
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), date);
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture).Offset, date.Offset);
    }

    [Theory]
    [InlineData("From - ")]
    [InlineData("From anna@example.org")]
    [InlineData("From anna@example.org Mon Feb 30 09:15:07 2026")]
    [InlineData("From anna@example.org Mon Nov  2 25:15:07 2026")]
    [InlineData("")]
    [InlineData(null)]
    public void TryParseDate_NoReadableDate_IsFalse(string? marker) =>
        Assert.False(MboxFromLine.TryParseDate(marker, out _));
}
