using System.Globalization;
using System.Text;

namespace Crm.Synthetic;

/// <summary>
/// Builds person <c>i</c> from the seed alone, so any stage of the generator can rebuild a person
/// instead of keeping everyone in memory. Person <c>2k+1</c> may live with person <c>2k</c>
/// (households never chain), which keeps the rebuild cheap.
/// </summary>
internal sealed class PersonFactory
{
    internal const ulong StreamPerson = 1;
    internal const ulong StreamDuplicate = 3;

    private readonly GeneratorOptions _options;
    private readonly long _suffixModulus;

    public PersonFactory(GeneratorOptions options)
    {
        _options = options;
        _suffixModulus = 100;
        while (_suffixModulus < 4L * options.Customers)
        {
            _suffixModulus *= 10;
        }
    }

    public static string PersonIdOf(int index) => "P" + (index + 1).ToString("D7", CultureInfo.InvariantCulture);

    /// <summary>Customer ids: a bijection of 32-bit numbers, so ids are unique but say nothing about order or person.</summary>
    public static string CustomerIdOf(int index, bool duplicate)
    {
        var x = (uint)(2 * index + (duplicate ? 1 : 0));
        x = unchecked(x * 0x9E3779B1u) ^ 0x5BD1E995u;
        x = unchecked((x ^ (x >> 15)) * 0x2C1B3C6Du);
        x ^= x >> 12;
        return "C" + x.ToString("D10", CultureInfo.InvariantCulture);
    }

    public Person Create(int index)
    {
        var rng = Prng.For(_options.Seed, StreamPerson, (ulong)index);
        Person? head = null;
        var household = false;
        if ((index & 1) == 1 && rng.Chance(2 * _options.HouseholdRate))
        {
            head = Create(index - 1);
            household = true;
        }

        var culture = household ? head!.Culture : Cultures.Pick(ref rng, _options.NonLatinShare);
        var female = household ? !head!.Female || rng.Chance(0.15) : rng.Chance(0.5);
        var (given, givenLatin) = Split(rng.Pick(female ? culture.Female : culture.Male));
        string family, familyLatin;
        if (household && rng.Chance(0.75))
        {
            family = head!.Main.Family;
            familyLatin = head.FamilyLatin;
        }
        else
        {
            (family, familyLatin) = Split(rng.Pick(culture.Family));
        }

        var digits = household && rng.Chance(0.3) ? head!.PhoneDigits : PhoneDigits(ref rng, culture);
        var phone = FormatPattern(rng.Pick(culture.PhonePatterns), digits);
        string street, city, postcode;
        if (household)
        {
            street = head!.Main.Street;
            city = head.Main.City;
            postcode = head.Main.Postcode;
        }
        else
        {
            (street, city, postcode) = Address(ref rng, culture);
        }

        var email = Email(ref rng, culture, givenLatin, familyLatin, 2L * index);
        var main = new Identity
        {
            CustomerId = CustomerIdOf(index, false),
            Feed = rng.Chance(_options.JsonFeedShare) ? "jsonl" : "csv",
            Given = given,
            Family = family,
            Email = email,
            Phone = phone,
            Street = street,
            City = city,
            Postcode = postcode,
            FamilyFirst = culture.FamilyFirst,
        };

        return new Person
        {
            Index = index,
            PersonId = PersonIdOf(index),
            Culture = culture,
            Female = female,
            GivenLatin = givenLatin,
            FamilyLatin = familyLatin,
            Main = main,
            PhoneDigits = digits,
            HouseholdOf = household ? index - 1 : -1,
            Ip = household ? head!.Ip : Ip(ref rng),
            UserAgent = rng.Pick(WebVocabulary.BrowserAgents),
            VisitorId = rng.Hex(16),
            Language = culture.Language,
        };
    }

    /// <summary>
    /// A second customer record of the same person: one to three of typo, nickname, swapped names,
    /// new email, other phone format, moved address. Sets <see cref="Person.Duplicate"/> and the kinds.
    /// </summary>
    public void AddDuplicate(Person person)
    {
        var rng = Prng.For(_options.Seed, StreamDuplicate, (ulong)person.Index);
        var m = person.Main;
        var given = m.Given;
        var family = m.Family;
        var email = m.Email;
        var phone = m.Phone;
        var street = m.Street;
        var city = m.City;
        var postcode = m.Postcode;
        var kinds = new List<string>(3);
        var wanted = 1 + rng.Next(3);
        var guard = 0;
        while (kinds.Count < wanted && guard++ < 20)
        {
            var kind = rng.Pick(DuplicateKinds);
            if (kinds.Contains(kind))
            {
                continue;
            }

            switch (kind)
            {
                case "nickname":
                    if (!Cultures.Nicknames.TryGetValue(NameKey(person, given), out var nicks))
                    {
                        continue;
                    }

                    given = Split(rng.Pick(nicks)).Native;
                    break;
                case "typo":
                    if (rng.Chance(0.6) && family.Length > 3)
                    {
                        family = Typo(ref rng, family);
                    }
                    else if (given.Length > 3)
                    {
                        given = Typo(ref rng, given);
                    }
                    else
                    {
                        continue;
                    }

                    break;
                case "swapped":
                    (given, family) = (family, given);
                    break;
                case "new_email":
                    email = Email(ref rng, person.Culture, person.GivenLatin, person.FamilyLatin, 2L * person.Index + 1);
                    break;
                case "phone_format":
                    var other = phone;
                    for (var i = 0; i < 8 && other == phone; i++)
                    {
                        other = FormatPattern(rng.Pick(person.Culture.PhonePatterns), person.PhoneDigits);
                    }

                    if (other == phone)
                    {
                        continue;
                    }

                    phone = other;
                    break;
                case "moved":
                    (street, city, postcode) = Address(ref rng, person.Culture);
                    break;
            }

            kinds.Add(kind);
        }

        if (kinds.Count == 0)
        {
            email = Email(ref rng, person.Culture, person.GivenLatin, person.FamilyLatin, 2L * person.Index + 1);
            kinds.Add("new_email");
        }

        person.Duplicate = new Identity
        {
            CustomerId = CustomerIdOf(person.Index, true),
            Feed = rng.Chance(0.3) ? (m.Feed == "csv" ? "jsonl" : "csv") : m.Feed,
            Given = given,
            Family = family,
            Email = email,
            Phone = phone,
            Street = street,
            City = city,
            Postcode = postcode,
            FamilyFirst = m.FamilyFirst,
        };
        person.DuplicateKinds = string.Join('+', kinds);
    }

    private static readonly string[] DuplicateKinds = ["typo", "nickname", "swapped", "new_email", "phone_format", "moved"];

    private static string NameKey(Person person, string given) =>
        person.Culture.NonLatin ? given + "|" + person.GivenLatin : given;

    private static (string Native, string Latin) Split(string name)
    {
        var bar = name.IndexOf('|', StringComparison.Ordinal);
        return bar < 0 ? (name, name) : (name[..bar], name[(bar + 1)..]);
    }

    private static string Typo(ref Prng rng, string s)
    {
        var i = 1 + rng.Next(s.Length - 2);
        var chars = s.ToCharArray();
        switch (rng.Next(4))
        {
            case 0: // transposition
                (chars[i], chars[i + 1]) = (chars[i + 1], chars[i]);
                return chars[i] == chars[i + 1] ? s.Remove(i, 1) : new string(chars);
            case 1: // deletion
                return s.Remove(i, 1);
            case 2: // doubled letter
                return s.Insert(i, s[i].ToString());
            default: // neighbouring key or lost diacritic
                var folded = Fold(s[i].ToString());
                if (folded.Length == 1 && folded[0] != s[i])
                {
                    chars[i] = folded[0];
                    return new string(chars);
                }

                chars[i] = char.IsUpper(s[i]) ? char.ToUpperInvariant(Keyboard(s[i])) : Keyboard(s[i]);
                return new string(chars);
        }
    }

    private static char Keyboard(char c)
    {
        const string rows = "qwertyuiopasdfghjklzxcvbnm";
        var i = rows.IndexOf(char.ToLowerInvariant(c), StringComparison.Ordinal);
        return i < 0 ? 'e' : rows[(i + 1) % rows.Length];
    }

    private static string PhoneDigits(ref Prng rng, Culture culture)
    {
        Span<char> d = stackalloc char[culture.NationalDigits];
        d[0] = (char)('2' + rng.Next(8));
        for (var i = 1; i < d.Length; i++)
        {
            d[i] = (char)('0' + rng.Next(10));
        }

        return new string(d);
    }

    /// <summary>Replaces each <c>#</c> with the next digit and each <c>@</c> with a letter from <paramref name="fill"/>.</summary>
    internal static string FormatPattern(string pattern, string fill)
    {
        var sb = new StringBuilder(pattern.Length + 4);
        var j = 0;
        foreach (var c in pattern)
        {
            if (c is '#' or '@')
            {
                sb.Append(j < fill.Length ? fill[j++] : '0');
            }
            else
            {
                sb.Append(c);
            }
        }

        return sb.ToString();
    }

    private static (string Street, string City, string Postcode) Address(ref Prng rng, Culture culture)
    {
        var number = (1 + rng.Next(rng.Chance(0.8) ? 60 : 400)).ToString(CultureInfo.InvariantCulture);
        if (rng.Chance(0.08))
        {
            number += (char)('a' + rng.Next(3));
        }

        var name = rng.Pick(culture.Streets);
        var street = culture.NumberFirst ? number + " " + name : name + " " + number;
        if (culture.Country == "ES")
        {
            street = name + ", " + number;
        }
        else if (culture.FamilyFirst)
        {
            street = name + number + "-" + (1 + rng.Next(30)).ToString(CultureInfo.InvariantCulture);
        }

        Span<char> fill = stackalloc char[16];
        var pattern = culture.PostcodePattern;
        for (var i = 0; i < pattern.Length && i < fill.Length; i++)
        {
            fill[i] = pattern[i] == '@' ? (char)('A' + rng.Next(26)) : (char)('0' + rng.Next(i == 0 ? 1 : 0, 10));
        }

        var postcode = FormatPattern(pattern, new string(fill[..pattern.Length]));
        return (street, rng.Pick(culture.Cities), postcode);
    }

    private string Email(ref Prng rng, Culture culture, string givenLatin, string familyLatin, long uniqueKey)
    {
        var g = Fold(givenLatin);
        var f = Fold(familyLatin);
        var local = rng.Next(7) switch
        {
            0 => g + "." + f,
            1 => g[0] + f,
            2 => g + f,
            3 => g + "_" + f,
            4 => f + "." + g,
            5 => g[0] + "." + f,
            _ => g,
        };
        // A number unique to this person (and record) keeps addresses unique at any scale,
        // as a real mailbox is: a bijection of the key onto [0, 10^digits).
        var n = (uniqueKey * 7_919L + 104_729L) % _suffixModulus;
        local += n.ToString(CultureInfo.InvariantCulture);
        return local + "@" + rng.Pick(culture.MailDomains);
    }

    /// <summary>Lower-case ASCII letters only: diacritics folded (ß→ss, ø→o), spaces and apostrophes dropped.</summary>
    internal static string Fold(string s)
    {
        var sb = new StringBuilder(s.Length);
        foreach (var c in s.Normalize(NormalizationForm.FormD))
        {
            var lower = char.ToLowerInvariant(c);
            if (lower is >= 'a' and <= 'z')
            {
                sb.Append(lower);
            }
            else if (lower == 'ß')
            {
                sb.Append("ss");
            }
            else if (lower is 'ø' or 'ö')
            {
                sb.Append('o');
            }
            else if (lower == 'ł')
            {
                sb.Append('l');
            }
            else if (lower == 'ı')
            {
                sb.Append('i');
            }
        }

        return sb.Length == 0 ? "x" : sb.ToString();
    }

    private static string Ip(ref Prng rng)
    {
        int a;
        do
        {
            a = 1 + rng.Next(223);
        }
        while (a is 10 or 127 or 172 or 192 or 100 or 169);

        return string.Create(CultureInfo.InvariantCulture, $"{a}.{rng.Next(256)}.{rng.Next(256)}.{1 + rng.Next(254)}");
    }
}
