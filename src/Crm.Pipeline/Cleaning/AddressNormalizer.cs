using System.Text;
using System.Text.RegularExpressions;

namespace Crm.Pipeline.Cleaning;

/// <summary>
/// Normalises addresses and postcodes: case, punctuation, the common abbreviations
/// (st → street, rd → road, ave → avenue, …), a leading house number split off, and postcodes
/// checked and formatted per country where the format is known (GB, US, AU, DE, FR, NL, CA).
/// </summary>
public static partial class AddressNormalizer
{
    private static readonly Dictionary<string, string> Abbreviations = new(StringComparer.Ordinal)
    {
        ["st"] = "street", ["str"] = "street", ["rd"] = "road", ["ave"] = "avenue", ["av"] = "avenue", ["dr"] = "drive",
        ["ln"] = "lane", ["ct"] = "court", ["crt"] = "court", ["pl"] = "place", ["sq"] = "square", ["cres"] = "crescent",
        ["cr"] = "crescent", ["blvd"] = "boulevard", ["hwy"] = "highway", ["pde"] = "parade", ["tce"] = "terrace",
        ["ter"] = "terrace", ["cct"] = "circuit", ["cl"] = "close", ["gr"] = "grove", ["gdns"] = "gardens", ["pk"] = "park",
        ["pkwy"] = "parkway", ["mt"] = "mount", ["apt"] = "apartment", ["ste"] = "suite", ["fl"] = "floor", ["bldg"] = "building",
        ["n"] = "north", ["s"] = "south", ["e"] = "east", ["w"] = "west", ["ne"] = "northeast", ["nw"] = "northwest",
        ["se"] = "southeast", ["sw"] = "southwest", ["esp"] = "esplanade", ["wy"] = "way", ["cir"] = "circle",
    };

    /// <summary>Splits and normalises one address line; null when nothing remains.</summary>
    public static AddressLine? Normalize(string? raw)
    {
        if (string.IsNullOrWhiteSpace(raw))
        {
            return null;
        }

        var key = NameNormalizer.Key(raw.Replace(',', ' ').Replace('/', ' '));
        if (key.Length == 0)
        {
            return null;
        }

        var tokens = key.Split(' ');
        string? number = null;
        var sb = new StringBuilder();
        for (var i = 0; i < tokens.Length; i++)
        {
            var t = tokens[i];
            if (number is null && sb.Length == 0 && t.Length > 0 && char.IsAsciiDigit(t[0]))
            {
                number = t;
                continue;
            }

            // "st" first in the street part is Saint (St James), elsewhere Street.
            var expanded = t == "st" && sb.Length == 0 && i < tokens.Length - 1 ? "saint"
                : Abbreviations.TryGetValue(t, out var full) ? full : t;
            if (sb.Length > 0)
            {
                sb.Append(' ');
            }

            sb.Append(expanded);
        }

        return new AddressLine(number, sb.Length == 0 ? null : sb.ToString());
    }

    /// <summary>Normalises a postcode for <paramref name="country"/> (ISO alpha-2; unknown countries keep letters and digits).</summary>
    public static Cleaned NormalizePostcode(string? raw, string? country)
    {
        if (string.IsNullOrWhiteSpace(raw))
        {
            return Cleaned.Missing;
        }

        Span<char> buffer = stackalloc char[Math.Min(raw.Length, 64)];
        var n = 0;
        foreach (var c in raw)
        {
            if (char.IsAsciiLetterOrDigit(c) && n < buffer.Length)
            {
                buffer[n++] = char.ToUpperInvariant(c);
            }
        }

        var compact = new string(buffer[..n]);
        if (compact.Length == 0)
        {
            return Cleaned.Fail("postcode: no letters or digits");
        }

        switch (country?.Trim().ToUpperInvariant())
        {
            case "GB" or "UK":
                return UkPostcode().IsMatch(compact)
                    ? Cleaned.Ok(compact[..^3] + " " + compact[^3..])
                    : Cleaned.Fail("postcode: not a UK postcode");
            case "US":
                return compact.Length is 5 or 9 && compact.All(char.IsAsciiDigit)
                    ? Cleaned.Ok(compact[..5])
                    : Cleaned.Fail("postcode: not a US ZIP code");
            case "AU" or "NZ" or "AT" or "CH" or "BE" or "DK" or "NO":
                return compact.Length == 4 && compact.All(char.IsAsciiDigit) ? Cleaned.Ok(compact) : Cleaned.Fail("postcode: expected 4 digits");
            case "DE" or "FR" or "IT" or "ES" or "FI":
                return compact.Length == 5 && compact.All(char.IsAsciiDigit) ? Cleaned.Ok(compact) : Cleaned.Fail("postcode: expected 5 digits");
            case "NL":
                return NlPostcode().IsMatch(compact) ? Cleaned.Ok(compact[..4] + " " + compact[4..]) : Cleaned.Fail("postcode: not a Dutch postcode");
            case "CA":
                return CaPostcode().IsMatch(compact) ? Cleaned.Ok(compact[..3] + " " + compact[3..]) : Cleaned.Fail("postcode: not a Canadian postcode");
            default:
                return compact.Length <= 10 ? Cleaned.Ok(compact) : Cleaned.Fail("postcode: too long");
        }
    }

    [GeneratedRegex("^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$")]
    private static partial Regex UkPostcode();

    [GeneratedRegex("^[0-9]{4}[A-Z]{2}$")]
    private static partial Regex NlPostcode();

    [GeneratedRegex("^[A-Z][0-9][A-Z][0-9][A-Z][0-9]$")]
    private static partial Regex CaPostcode();
}
