using System.Globalization;
using System.Text;
using Crm.Pipeline.Cleaning;

namespace Crm.Bench;

/// <summary>
/// Febrl-like synthetic person records for the identity benchmark: originals drawn from generated
/// name, street and town vocabularies with skewed (Zipf-like) frequencies, and duplicates made by
/// corrupting an original (typos, dropped values, swapped names, date typos, another e-mail domain,
/// phones written another way). The truth is the entity index. Seeded: the same arguments give the
/// same records.
/// </summary>
internal static class SyntheticPeople
{
    private static readonly string[] Onsets = ["b", "br", "c", "ch", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "sh", "st", "t", "th", "v", "w", "y", "z"];
    private static readonly string[] Vowels = ["a", "e", "i", "o", "u", "ai", "ea", "ie", "ou"];
    private static readonly string[] Codas = ["", "", "n", "r", "l", "s", "th", "ck", "m", "ng", "rd", "tt"];
    private static readonly string[] StreetTypes = ["Street", "St", "Road", "Rd", "Avenue", "Ave", "Lane", "Close", "Drive", "Court"];
    private static readonly string[] Domains = ["gmail.com", "yahoo.co.uk", "outlook.com", "hotmail.co.uk", "btinternet.com", "icloud.com"];

    public static (List<RawPerson> People, List<int> Truth) Generate(int count, double duplicateShare, int seed, int keyOffset = 0, List<RawPerson>? originalsFrom = null)
    {
        var random = new Random(seed);
        var given = Vocabulary(random, 3000, 2);
        var family = Vocabulary(random, 60000, 3);
        var streets = Vocabulary(random, 20000, 2);
        var towns = Vocabulary(random, 3000, 3);
        var people = new List<RawPerson>(count);
        var truth = new List<int>(count);
        var originals = (int)(count * (1 - duplicateShare));
        for (var i = 0; i < count; i++)
        {
            RawPerson p;
            int entity;
            if (i < originals || (originalsFrom is null && i == 0))
            {
                entity = keyOffset + i;
                p = Original(random, entity, given, family, streets, towns);
            }
            else
            {
                var source = originalsFrom is not null && random.NextDouble() < 0.5 ? originalsFrom : people;
                var limit = source == people ? Math.Min(people.Count, originals) : source.Count;
                var o = random.Next(limit);
                entity = source == people ? truth[o] : int.Parse(source[o].Key.Split('-')[1], CultureInfo.InvariantCulture);
                p = Corrupt(random, source[o], entity, keyOffset + i);
            }

            people.Add(p);
            truth.Add(entity);
        }

        return (people, truth);
    }

    private static RawPerson Original(Random r, int entity, string[] given, string[] family, string[] streets, string[] towns)
    {
        var g = Cap(Pick(r, given));
        var f = Cap(Pick(r, family));
        var dob = new DateOnly(1940, 1, 1).AddDays(r.Next(365 * 65));
        var town = r.Next(towns.Length);
        var postcode = $"{(char)('A' + (town % 26))}{(char)('A' + (town / 26 % 26))}{1 + (town % 9)} {r.Next(10)}{(char)('A' + r.Next(26))}{(char)('A' + r.Next(26))}";
        return new RawPerson
        {
            Key = $"p-{entity}-o",
            Given = g,
            Family = f,
            DateOfBirth = dob.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            Email = r.NextDouble() < 0.7 ? $"{g}.{f}{(r.NextDouble() < 0.5 ? r.Next(100).ToString(CultureInfo.InvariantCulture) : "")}@{Domains[r.Next(Domains.Length)]}".ToLowerInvariant() : null,
            Phone = r.NextDouble() < 0.6 ? $"07{r.Next(100, 999)} {r.Next(100000, 999999)}" : null,
            Street = $"{1 + r.Next(200)} {Cap(Pick(r, streets))} {StreetTypes[r.Next(StreetTypes.Length)]}",
            Locality = Cap(towns[town]),
            Postcode = postcode,
            Country = "GB",
        };
    }

    private static RawPerson Corrupt(Random r, RawPerson o, int entity, int index)
    {
        string? Typo(string? s) => s is null || s.Length < 3 ? s : Edit(r, s);
        string? Maybe(string? s, double drop) => r.NextDouble() < drop ? null : s;
        var given = o.Given;
        var family = o.Family;
        var corruptions = 1 + r.Next(3);
        string? dob = o.DateOfBirth, email = o.Email, phone = o.Phone, street = o.Street, postcode = o.Postcode;
        for (var c = 0; c < corruptions; c++)
        {
            switch (r.Next(9))
            {
                case 0: given = Typo(given); break;
                case 1: family = Typo(family); break;
                case 2: (given, family) = (family, given); break;
                case 3: dob = dob is null ? null : Edit(r, dob.Replace("-", string.Empty, StringComparison.Ordinal)) is var d && d.Length == 8 ? $"{d[..4]}-{d[4..6]}-{d[6..]}" : dob; break;
                case 4: email = email is null ? null : email[..email.IndexOf('@', StringComparison.Ordinal)] + "@" + Domains[r.Next(Domains.Length)]; break;
                case 5: phone = phone is null ? null : "+44 " + phone[1..].Replace(" ", "-", StringComparison.Ordinal); break;
                case 6: street = Typo(street); break;
                case 7: postcode = postcode?.Replace(" ", string.Empty, StringComparison.Ordinal).ToLowerInvariant(); break;
                default: email = Maybe(email, 0.5); phone = Maybe(phone, 0.5); dob = Maybe(dob, 0.3); break;
            }
        }

        return new RawPerson
        {
            Key = $"p-{entity}-{index}", Given = given, Family = family, DateOfBirth = dob, Email = email, Phone = phone,
            Street = street, Locality = o.Locality, Postcode = postcode, Country = o.Country,
        };
    }

    private static string Edit(Random r, string s)
    {
        var i = r.Next(s.Length - 1);
        var sb = new StringBuilder(s);
        switch (r.Next(4))
        {
            case 0: sb[i] = char.IsDigit(s[i]) ? (char)('0' + r.Next(10)) : (char)('a' + r.Next(26)); break;
            case 1: sb.Remove(i, 1); break;
            case 2: sb.Insert(i, char.IsDigit(s[i]) ? (char)('0' + r.Next(10)) : (char)('a' + r.Next(26))); break;
            default: (sb[i], sb[i + 1]) = (sb[i + 1], sb[i]); break;
        }

        return sb.ToString();
    }

    private static string[] Vocabulary(Random r, int size, int syllables)
    {
        var set = new HashSet<string>();
        while (set.Count < size)
        {
            var sb = new StringBuilder();
            var n = 1 + r.Next(syllables);
            for (var s = 0; s < n; s++)
            {
                sb.Append(Onsets[r.Next(Onsets.Length)]).Append(Vowels[r.Next(Vowels.Length)]);
            }

            sb.Append(Codas[r.Next(Codas.Length)]);
            if (sb.Length >= 3)
            {
                set.Add(sb.ToString());
            }
        }

        return [.. set];
    }

    // Skewed choice: p(rank) ∝ 1 / (rank + 30), like real name frequencies (a few common, a long tail).
    private static string Pick(Random r, string[] vocabulary)
    {
        var u = r.NextDouble();
        var n = vocabulary.Length;
        var rank = (int)(30 * Math.Pow((n + 30) / 30.0, u)) - 30;
        return vocabulary[Math.Clamp(rank, 0, n - 1)];
    }

    private static string Cap(string s) => char.ToUpperInvariant(s[0]) + s[1..];
}
