using PhoneNumbers;

namespace Crm.Pipeline.Cleaning;

/// <summary>Normalises phone numbers to E.164 with libphonenumber, using a default region for national numbers.</summary>
public static class PhoneNormalizer
{
    private static readonly PhoneNumberUtil Util = PhoneNumberUtil.GetInstance();

    /// <summary>Returns the E.164 form of <paramref name="raw"/>, or an error when it is not a possible number.</summary>
    /// <param name="raw">The number as typed.</param>
    /// <param name="defaultRegion">ISO 3166 region for numbers without a country code (e.g. "GB", "US").</param>
    public static Cleaned Normalize(string? raw, string defaultRegion)
    {
        if (string.IsNullOrWhiteSpace(raw))
        {
            return Cleaned.Missing;
        }

        var s = raw.Trim();
        if (s.StartsWith("00", StringComparison.Ordinal))
        {
            s = "+" + s[2..];
        }

        try
        {
            var number = Util.Parse(s, string.IsNullOrEmpty(defaultRegion) ? "ZZ" : defaultRegion.ToUpperInvariant());
            if (!Util.IsPossibleNumber(number))
            {
                return Cleaned.Fail("phone: not a possible number");
            }

            return Cleaned.Ok(Util.Format(number, PhoneNumberFormat.E164));
        }
        catch (NumberParseException e)
        {
            return Cleaned.Fail("phone: " + e.ErrorType.ToString().ToLowerInvariant().Replace('_', ' '));
        }
    }
}
