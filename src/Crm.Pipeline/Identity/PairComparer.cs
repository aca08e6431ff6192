namespace Crm.Pipeline.Identity;

/// <summary>
/// Compares two records field by field into comparison levels (0 = disagree, higher = closer
/// agreement, −1 = a value is missing and the field says nothing). A comparison vector packs into
/// one <see cref="ulong"/> (4 bits per field: level + 1) so EM runs over distinct patterns.
/// </summary>
internal static class PairComparer
{
    /// <summary>Level names per field, index = level. The last is the strongest agreement.</summary>
    public static readonly string[][] LevelNames = BuildNames();

    public static int LevelCount(int field) => LevelNames[field].Length;

    public static ulong Compare(MatchRecord a, MatchRecord b)
    {
        var x = a.Values;
        var y = b.Values;
        ulong pattern = 0;

        var (given, family, _) = NameLevels(x[(int)MatchField.Given], x[(int)MatchField.Family], y[(int)MatchField.Given], y[(int)MatchField.Family]);
        pattern = Put(pattern, MatchField.Given, given);
        pattern = Put(pattern, MatchField.Family, family);
        pattern = Put(pattern, MatchField.DateOfBirth, DateLevel(x[(int)MatchField.DateOfBirth], y[(int)MatchField.DateOfBirth]));
        pattern = Put(pattern, MatchField.Email, EmailLevel(x[(int)MatchField.Email], y[(int)MatchField.Email]));
        pattern = Put(pattern, MatchField.Phone, EditLevel(x[(int)MatchField.Phone], y[(int)MatchField.Phone]));
        // An address is street and number together: the same street at another number is a neighbour
        // (at most "similar"), and the same number on a street that is not the same or close says nothing.
        var postcode = EditLevel(x[(int)MatchField.Postcode], y[(int)MatchField.Postcode]);
        var number = NumberLevel(x[(int)MatchField.StreetNumber], y[(int)MatchField.StreetNumber]);
        var street = TextLevel(x[(int)MatchField.Street], y[(int)MatchField.Street]);
        pattern = Put(pattern, MatchField.StreetNumber, street < 2 || postcode == 0 ? -1 : number);
        // Likewise the same street name under another postcode is another street.
        pattern = Put(pattern, MatchField.Street, number == 0 || postcode == 0 ? Math.Min(street, 1) : street);
        pattern = Put(pattern, MatchField.Premise, TextLevel(x[(int)MatchField.Premise], y[(int)MatchField.Premise]));
        pattern = Put(pattern, MatchField.Locality, TextLevel(x[(int)MatchField.Locality], y[(int)MatchField.Locality]));
        pattern = Put(pattern, MatchField.Postcode, postcode);
        pattern = Put(pattern, MatchField.Region, ExactLevel(x[(int)MatchField.Region], y[(int)MatchField.Region]));
        pattern = Put(pattern, MatchField.Country, ExactLevel(x[(int)MatchField.Country], y[(int)MatchField.Country]));
        pattern = Put(pattern, MatchField.NationalId, EditLevel(x[(int)MatchField.NationalId], y[(int)MatchField.NationalId]));
        return pattern;
    }

    /// <summary>How the two records' names were read to compare them (<see cref="NameReading"/>).</summary>
    public static NameReading NamesRead(MatchRecord a, MatchRecord b) =>
        NameLevels(a.Values[(int)MatchField.Given], a.Values[(int)MatchField.Family], b.Values[(int)MatchField.Given], b.Values[(int)MatchField.Family]).Reading;

    /// <summary>Whether the two records' names read better with one record's given and family names swapped.</summary>
    public static bool NamesSwapped(MatchRecord a, MatchRecord b) => NamesRead(a, b) == NameReading.Swapped;

    // Names: compared straight and swapped (given/family typed in each other's place), keeping the better reading;
    // then, short of an exact given name, as one whole name reordered or split elsewhere (see SameNameReordered).
    private static (int Given, int Family, NameReading Reading) NameLevels(string? g1, string? f1, string? g2, string? f2)
    {
        var jg = Jw(g1, g2);
        var jf = Jw(f1, f2);
        var swapped = Swapped(g1, f1, g2, f2, jg, jf);
        var given = swapped ? NameLevel(g1, f2) : NameLevel(g1, g2, jg, isGiven: true);
        var family = swapped ? NameLevel(f1, g2) : NameLevel(f1, f2, jf);
        if (given < 3 && SameNameReordered(g1, f1, g2, f2))
        {
            return (3, f1 is null && f2 is null ? -1 : 3, NameReading.Reordered);
        }

        return (given, family, swapped ? NameReading.Swapped : NameReading.AsWritten);
    }

    /// <summary>
    /// Whether two whole names (given then family, spaces dropped) hold the same letters in the same order, or with a
    /// front part of at least two letters moved to the back. Romanised Chinese and Japanese names come in one piece
    /// and in either order: 拓也高橋 and 高橋拓也 are "tayegaoqiao" and "gaoqiaotaye", with no space to swap the
    /// parts at, and 李 静 against 李静 splits one name in two places.
    /// </summary>
    internal static bool SameNameReordered(string? g1, string? f1, string? g2, string? f2)
    {
        var n = Letters(g1) + Letters(f1);
        if (n < 4 || n > 64 || n != Letters(g2) + Letters(f2))
        {
            return false;
        }

        Span<char> a = stackalloc char[n];
        Span<char> b = stackalloc char[n];
        Fill(a, g1, f1);
        Fill(b, g2, f2);
        if (a.SequenceEqual(b))
        {
            return true;
        }

        for (var k = 2; k <= n - 2; k++)
        {
            if (a[k..].SequenceEqual(b[..(n - k)]) && a[..k].SequenceEqual(b[(n - k)..]))
            {
                return true;
            }
        }

        return false;

        static int Letters(string? s)
        {
            var count = 0;
            foreach (var ch in s.AsSpan())
            {
                count += ch == ' ' ? 0 : 1;
            }

            return count;
        }

        static void Fill(Span<char> into, string? given, string? family)
        {
            var i = 0;
            foreach (var ch in given.AsSpan())
            {
                if (ch != ' ')
                {
                    into[i++] = ch;
                }
            }

            foreach (var ch in family.AsSpan())
            {
                if (ch != ' ')
                {
                    into[i++] = ch;
                }
            }
        }
    }

    private static bool Swapped(string? g1, string? f1, string? g2, string? f2, double jg, double jf) =>
        jg + jf < 1.6 && Jw(g1, f2) + Jw(f1, g2) > jg + jf + 0.2;

    /// <summary>The level of <paramref name="field"/> in a packed pattern (−1 = missing).</summary>
    public static int Level(ulong pattern, int field) => (int)((pattern >> (field * 4)) & 0xF) - 1;

    /// <summary>Compares one field of two records (used by the over-merge guard).</summary>
    public static int CompareField(MatchField field, string? a, string? b) => field switch
    {
        MatchField.Given => NameLevel(a, b, isGiven: true),
        MatchField.Family => NameLevel(a, b),
        MatchField.StreetNumber => NumberLevel(a, b),
        MatchField.DateOfBirth => DateLevel(a, b),
        MatchField.Email => EmailLevel(a, b),
        MatchField.Phone or MatchField.Postcode or MatchField.NationalId => EditLevel(a, b),
        MatchField.Street or MatchField.Premise or MatchField.Locality => TextLevel(a, b),
        _ => ExactLevel(a, b),
    };

    private static ulong Put(ulong pattern, MatchField field, int level) => pattern | ((ulong)(level + 1) << ((int)field * 4));

    private static double Jw(string? a, string? b) => a is null || b is null ? 0 : Similarity.JaroWinkler(a, b);

    // 0 different, 1 initial or JW ≥ 0.80 or (given names) a gendered form, 2 JW ≥ 0.92 or a prefix of
    // 3+ letters or (given names) a listed short form, 3 exact (spaces aside)
    internal static int NameLevel(string? a, string? b, double jw = -1, bool isGiven = false)
    {
        if (a is null || b is null)
        {
            return -1;
        }

        if (string.Equals(a, b, StringComparison.Ordinal) || SameWithoutSpaces(a, b))
        {
            return 3;
        }

        // Antônia/Antônio, Daniel/Daniela, Jean/Jeanne: often two people of one household, so never
        // closer than "similar", however few letters differ.
        if (isGiven && GenderedForms(a, b))
        {
            return 1;
        }

        if (isGiven && NameVariants.Related(a, b))
        {
            return 2;
        }

        jw = jw < 0 ? Similarity.JaroWinkler(a, b) : jw;

        // A short form that starts the long one (Bob/Bobby, Dan/Daniel, Chris/Christopher) is close.
        if (jw >= 0.92 || (Math.Min(a.Length, b.Length) >= 3
            && (a.StartsWith(b, StringComparison.Ordinal) || b.StartsWith(a, StringComparison.Ordinal))))
        {
            return 2;
        }

        if (jw >= 0.80 || ((a.Length == 1 || b.Length == 1) && a[0] == b[0]))
        {
            return 1;
        }

        return 0;
    }

    // 0 different, 1 two edits or same year and month, 2 one edit or day/month swapped, 3 exact
    private static int DateLevel(string? a, string? b)
    {
        if (a is null || b is null)
        {
            return -1;
        }

        if (string.Equals(a, b, StringComparison.Ordinal))
        {
            return 3;
        }

        var d = Similarity.Osa(a, b, 2);
        if (d <= 1 || (a.Length == 10 && b.Length == 10 && a.AsSpan(0, 5).SequenceEqual(b.AsSpan(0, 5))
            && a.AsSpan(5, 2).SequenceEqual(b.AsSpan(8, 2)) && a.AsSpan(8, 2).SequenceEqual(b.AsSpan(5, 2))))
        {
            return 2;
        }

        return d <= 2 || (a.Length >= 7 && b.Length >= 7 && a.AsSpan(0, 7).SequenceEqual(b.AsSpan(0, 7))) ? 1 : 0;
    }

    // 0 different, 1 same local part (another domain) or one edit, 2 exact
    private static int EmailLevel(string? a, string? b)
    {
        if (a is null || b is null)
        {
            return -1;
        }

        if (string.Equals(a, b, StringComparison.Ordinal))
        {
            return 2;
        }

        var ia = a.IndexOf('@', StringComparison.Ordinal);
        var ib = b.IndexOf('@', StringComparison.Ordinal);
        if (ia > 0 && ia == ib && a.AsSpan(0, ia).SequenceEqual(b.AsSpan(0, ib)))
        {
            return 1;
        }

        return Similarity.Osa(a, b, 1) <= 1 ? 1 : 0;
    }

    // 0 different, 1 one edit, 2 exact
    private static int EditLevel(string? a, string? b)
    {
        if (a is null || b is null)
        {
            return -1;
        }

        if (string.Equals(a, b, StringComparison.Ordinal))
        {
            return 2;
        }

        return Similarity.Osa(a, b, 1) <= 1 ? 1 : 0;
    }

    /// <summary>Whether two keys are equal once their spaces are dropped ("h o"/"ho", "lake clifton"/"lakeclifton").</summary>
    internal static bool SameWithoutSpaces(string a, string b)
    {
        if (!a.Contains(' ', StringComparison.Ordinal) && !b.Contains(' ', StringComparison.Ordinal))
        {
            return false;
        }

        int i = 0, j = 0;
        while (true)
        {
            while (i < a.Length && a[i] == ' ')
            {
                i++;
            }

            while (j < b.Length && b[j] == ' ')
            {
                j++;
            }

            if (i == a.Length || j == b.Length)
            {
                return i == a.Length && j == b.Length;
            }

            if (a[i++] != b[j++])
            {
                return false;
            }
        }
    }

    /// <summary>
    /// Whether two given names are the masculine and feminine (or plain and diminutive-ending) forms of
    /// one name: equal once trailing vowels (not y), and after them a doubled final consonant, are dropped
    /// (antonio/antonia → anton, jean/jeanne → jean, daniel/daniela → daniel, louis/louise → louis).
    /// </summary>
    internal static bool GenderedForms(string a, string b)
    {
        var sa = Stem(a);
        var sb = Stem(b);
        return sa.Length >= 3 && sa.SequenceEqual(sb);

        static ReadOnlySpan<char> Stem(string s)
        {
            // Not y: Bobby/Bob and Danny/Dan are one person's short forms, not two people.
            var n = s.Length;
            while (n > 0 && s[n - 1] is 'a' or 'e' or 'i' or 'o' or 'u')
            {
                n--;
            }

            if (n < s.Length && n >= 2 && s[n - 1] == s[n - 2])
            {
                n--;
            }

            return s.AsSpan(0, n);
        }
    }

    // 0 different, 1 the same house number (letters and unit prefixes aside: 12a, 3/12 and 12 agree)
    internal static int NumberLevel(string? a, string? b)
    {
        if (a is null || b is null)
        {
            return -1;
        }

        return string.Equals(a, b, StringComparison.Ordinal) || (LastDigits(a).Length > 0 && LastDigits(a).SequenceEqual(LastDigits(b))) ? 1 : 0;

        static ReadOnlySpan<char> LastDigits(string s)
        {
            var end = s.Length;
            while (end > 0 && !char.IsAsciiDigit(s[end - 1]))
            {
                end--;
            }

            var start = end;
            while (start > 0 && char.IsAsciiDigit(s[start - 1]))
            {
                start--;
            }

            return s.AsSpan(start, end - start);
        }
    }

    private static int ExactLevel(string? a, string? b) =>
        a is null || b is null ? -1 : string.Equals(a, b, StringComparison.Ordinal) ? 1 : 0;

    // 0 different, 1 JW ≥ 0.80, 2 JW ≥ 0.92, 3 exact
    private static int TextLevel(string? a, string? b)
    {
        if (a is null || b is null)
        {
            return -1;
        }

        if (string.Equals(a, b, StringComparison.Ordinal) || SameWithoutSpaces(a, b))
        {
            return 3;
        }

        var jw = Similarity.JaroWinkler(a, b);
        return jw >= 0.92 ? 2 : jw >= 0.80 ? 1 : 0;
    }

    private static string[][] BuildNames()
    {
        var names = new string[MatchRecord.FieldCount][];
        string[] name = ["different", "similar (jaro-winkler ≥ 0.80, initial or gendered form)", "close (jaro-winkler ≥ 0.92 or short form)", "exact"];
        string[] text = ["different", "similar (jaro-winkler ≥ 0.80)", "close (jaro-winkler ≥ 0.92)", "exact"];
        string[] edit = ["different", "one edit apart", "exact"];
        string[] exact = ["different", "exact"];
        names[(int)MatchField.Given] = name;
        names[(int)MatchField.Family] = name;
        names[(int)MatchField.DateOfBirth] = ["different", "two edits or same month", "one edit or day/month swapped", "exact"];
        names[(int)MatchField.Email] = ["different", "same mailbox name or one edit", "exact"];
        names[(int)MatchField.Phone] = edit;
        names[(int)MatchField.StreetNumber] = ["different", "same number"];
        names[(int)MatchField.Street] = text;
        names[(int)MatchField.Premise] = text;
        names[(int)MatchField.Locality] = text;
        names[(int)MatchField.Postcode] = edit;
        names[(int)MatchField.Region] = exact;
        names[(int)MatchField.Country] = exact;
        names[(int)MatchField.NationalId] = edit;
        return names;
    }
}
