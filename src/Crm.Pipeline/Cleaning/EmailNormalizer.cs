using System.Globalization;

namespace Crm.Pipeline.Cleaning;

/// <summary>
/// Normalises e-mail addresses for matching: trims, strips a display name and angle brackets,
/// lower-cases, converts an internationalised domain to its ASCII (punycode) form with
/// <see cref="IdnMapping"/>, and optionally applies provider rules (Gmail ignores dots and
/// "+tags" in the local part).
/// </summary>
public static class EmailNormalizer
{
    private static readonly IdnMapping Idn = new() { AllowUnassigned = false, UseStd3AsciiRules = true };

    // Providers that deliver "first.last+tag@" to "firstlast@". Other providers keep dots significant.
    private static readonly HashSet<string> DotInsensitive = new(StringComparer.Ordinal) { "gmail.com", "googlemail.com" };
    private static readonly HashSet<string> PlusTagged = new(StringComparer.Ordinal)
    {
        "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "icloud.com", "me.com", "fastmail.com", "protonmail.com", "proton.me", "yahoo.com",
    };

    /// <summary>Normalises <paramref name="raw"/>; <paramref name="providerRules"/> turns on dot/plus folding.</summary>
    public static Cleaned Normalize(string? raw, bool providerRules = false)
    {
        if (string.IsNullOrWhiteSpace(raw))
        {
            return Cleaned.Missing;
        }

        var s = raw.Trim();
        var lt = s.LastIndexOf('<');
        var gt = s.LastIndexOf('>');
        if (lt >= 0 && gt > lt)
        {
            s = s[(lt + 1)..gt].Trim();
        }

        if (s.StartsWith("mailto:", StringComparison.OrdinalIgnoreCase))
        {
            s = s[7..];
        }

        var at = s.LastIndexOf('@');
        if (at <= 0 || at == s.Length - 1)
        {
            return Cleaned.Fail("email: no local part or domain");
        }

        var local = s[..at];
        var domain = s[(at + 1)..].TrimEnd('.');
        if (local.Length > 64 || local.AsSpan().ContainsAny(" \t\r\n,;<>()[]\\\""))
        {
            return Cleaned.Fail("email: invalid local part");
        }

        if (domain.IndexOf('.', StringComparison.Ordinal) < 0)
        {
            return Cleaned.Fail("email: domain has no dot");
        }

        try
        {
            domain = System.Text.Ascii.IsValid(domain) && !domain.Contains("xn--", StringComparison.OrdinalIgnoreCase) && ValidAsciiDomain(domain)
                ? domain.ToLowerInvariant()
                : Idn.GetAscii(domain).ToLowerInvariant();
        }
        catch (ArgumentException)
        {
            return Cleaned.Fail("email: invalid domain");
        }

        // Local parts are case-sensitive in theory; no provider in use treats them so.
        local = local.ToLowerInvariant();
        if (providerRules)
        {
            if (domain == "googlemail.com")
            {
                domain = "gmail.com";
            }

            if (PlusTagged.Contains(domain))
            {
                var plus = local.IndexOf('+', StringComparison.Ordinal);
                if (plus > 0)
                {
                    local = local[..plus];
                }
            }

            if (DotInsensitive.Contains(domain))
            {
                local = local.Replace(".", string.Empty, StringComparison.Ordinal);
            }
        }

        return Cleaned.Ok(local + "@" + domain);
    }

    // Letters, digits, hyphens and dots, no empty label: what IdnMapping would accept unchanged.
    private static bool ValidAsciiDomain(string domain)
    {
        var label = 0;
        foreach (var c in domain)
        {
            if (c == '.')
            {
                if (label == 0)
                {
                    return false;
                }

                label = 0;
            }
            else if (char.IsAsciiLetterOrDigit(c) || c == '-')
            {
                label++;
            }
            else
            {
                return false;
            }
        }

        return label > 0;
    }
}
