namespace Crm.Pipeline.Identity;

/// <summary>
/// Allocation-free string similarity for the pair-scoring hot path. Jaro–Winkler follows the
/// textbook definition (the unit tests check it against F23.StringSimilarity); the edit distance
/// is optimal string alignment (Damerau–Levenshtein with adjacent transpositions).
/// </summary>
internal static class Similarity
{
    public static double JaroWinkler(string a, string b)
    {
        if (a.Length == 0 && b.Length == 0)
        {
            return 1;
        }

        if (a.Length == 0 || b.Length == 0)
        {
            return 0;
        }

        if (a.Length > 128 || b.Length > 128)
        {
            return new F23.StringSimilarity.JaroWinkler().Similarity(a, b);
        }

        var range = Math.Max(0, (Math.Max(a.Length, b.Length) / 2) - 1);
        Span<bool> aFlag = stackalloc bool[a.Length];
        Span<bool> bFlag = stackalloc bool[b.Length];
        var matches = 0;
        for (var i = 0; i < a.Length; i++)
        {
            var lo = Math.Max(0, i - range);
            var hi = Math.Min(i + range + 1, b.Length);
            for (var j = lo; j < hi; j++)
            {
                if (!bFlag[j] && a[i] == b[j])
                {
                    aFlag[i] = true;
                    bFlag[j] = true;
                    matches++;
                    break;
                }
            }
        }

        if (matches == 0)
        {
            return 0;
        }

        var transpositions = 0;
        var k = 0;
        for (var i = 0; i < a.Length; i++)
        {
            if (!aFlag[i])
            {
                continue;
            }

            while (!bFlag[k])
            {
                k++;
            }

            if (a[i] != b[k])
            {
                transpositions++;
            }

            k++;
        }

        double m = matches;
        var jaro = ((m / a.Length) + (m / b.Length) + ((m - (transpositions / 2)) / m)) / 3.0;
        if (jaro <= 0.7)
        {
            return jaro;
        }

        var prefix = 0;
        var max = Math.Min(4, Math.Min(a.Length, b.Length));
        while (prefix < max && a[prefix] == b[prefix])
        {
            prefix++;
        }

        return jaro + (prefix * 0.1 * (1 - jaro));
    }

    /// <summary>Optimal string alignment distance, capped: returns <paramref name="cap"/> + 1 as soon as it is exceeded.</summary>
    public static int Osa(string a, string b, int cap = 3)
    {
        if (Math.Abs(a.Length - b.Length) > cap)
        {
            return cap + 1;
        }

        if (a.Length > 64 || b.Length > 64)
        {
            return (int)Math.Min(cap + 1, new F23.StringSimilarity.OptimalStringAlignment().Distance(a, b));
        }

        var w = b.Length + 1;
        Span<int> d = stackalloc int[(a.Length + 1) * w];
        for (var j = 0; j <= b.Length; j++)
        {
            d[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            d[i * w] = i;
            var rowMin = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                var v = Math.Min(Math.Min(d[((i - 1) * w) + j] + 1, d[(i * w) + j - 1] + 1), d[((i - 1) * w) + j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    v = Math.Min(v, d[((i - 2) * w) + j - 2] + 1);
                }

                d[(i * w) + j] = v;
                rowMin = Math.Min(rowMin, v);
            }

            if (rowMin > cap)
            {
                return cap + 1;
            }
        }

        return Math.Min(d[(a.Length * w) + b.Length], cap + 1);
    }

    /// <summary>American Soundex (letter + 3 digits) of a match key; empty for no letters.</summary>
    public static string Soundex(string s)
    {
        Span<char> code = stackalloc char[4];
        var n = 0;
        var last = '0';
        foreach (var ch in s)
        {
            if (!char.IsAsciiLetterLower(ch))
            {
                continue;
            }

            var digit = ch switch
            {
                'b' or 'f' or 'p' or 'v' => '1',
                'c' or 'g' or 'j' or 'k' or 'q' or 's' or 'x' or 'z' => '2',
                'd' or 't' => '3',
                'l' => '4',
                'm' or 'n' => '5',
                'r' => '6',
                'h' or 'w' => 'h',
                _ => '0',
            };
            if (n == 0)
            {
                code[n++] = char.ToUpperInvariant(ch);
                last = digit;
                continue;
            }

            if (digit == 'h')
            {
                continue;
            }

            if (digit != '0' && digit != last)
            {
                code[n++] = digit;
                if (n == 4)
                {
                    break;
                }
            }

            last = digit;
        }

        if (n == 0)
        {
            return string.Empty;
        }

        while (n < 4)
        {
            code[n++] = '0';
        }

        return new string(code);
    }
}
