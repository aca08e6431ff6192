using System.Runtime.InteropServices;

namespace Crm.Pipeline.Identity;

/// <summary>
/// Generates candidate pairs from several blocking keys, so that recall does not hang on one field:
/// a pair is a candidate when the two records share any key. Each pair is produced once (by the first
/// key they share). Blocks larger than the cap are skipped for that key (a common surname with no
/// other anchor) and counted, because one huge block would make the run quadratic.
/// </summary>
internal static class Blocking
{
    public const int KeyCount = 14;

    public static readonly string[] KeyNames =
    [
        "email", "phone", "national id", "date of birth + family soundex", "name prefixes (either order)", "family soundex + postcode",
        "street + number + family initial", "given soundex + birth month", "family prefix + given initial", "postcode + birth month",
        "date of birth + given soundex", "postcode + street number", "given soundex + postcode", "name soundexes (either order) + postcode",
    ];

    /// <summary>Fills the <see cref="KeyCount"/> key hashes of a record (0 = key not available).</summary>
    /// <remarks>Each key but the identifiers is a conjunction of two fields, so blocks stay small at a million records.</remarks>
    public static void Keys(MatchRecord r, Span<ulong> keys)
    {
        var v = r.Values;
        var given = v[(int)MatchField.Given];
        var family = v[(int)MatchField.Family];
        var dob = v[(int)MatchField.DateOfBirth];
        var postcode = v[(int)MatchField.Postcode];
        var familySoundex = family is null ? null : Similarity.Soundex(family);
        var givenSoundex = given is null ? null : Similarity.Soundex(given);
        keys.Clear();
        keys[0] = Hash(0, v[(int)MatchField.Email]);
        keys[1] = Hash(1, v[(int)MatchField.Phone]);
        keys[2] = Hash(2, v[(int)MatchField.NationalId]);
        if (dob is not null && familySoundex is not null)
        {
            keys[3] = Hash(3, dob, familySoundex);
        }

        if (given is not null && family is not null)
        {
            var a = Prefix(given, 3);
            var b = Prefix(family, 3);
            keys[4] = string.CompareOrdinal(a, b) <= 0 ? Hash(4, a, b) : Hash(4, b, a);
            keys[8] = Hash(8, Prefix(family, 4), given[..1]);
        }

        if (familySoundex is not null && postcode is not null)
        {
            keys[5] = Hash(5, familySoundex, postcode);
        }

        var street = v[(int)MatchField.Street];
        if (street is not null && v[(int)MatchField.StreetNumber] is { } number)
        {
            keys[6] = Hash(6, Prefix(street, 8) + "|" + number, family is null ? string.Empty : family[..1]);
        }

        if (givenSoundex is not null && dob is not null && dob.Length >= 7)
        {
            keys[7] = Hash(7, givenSoundex, dob[..7]);
        }

        if (postcode is not null && dob is not null && dob.Length >= 7)
        {
            keys[9] = Hash(9, postcode, dob[..7]);
        }

        if (dob is not null && givenSoundex is not null)
        {
            keys[10] = Hash(10, dob, givenSoundex);
        }

        // Without a name: a family name replaced or mistyped beyond its soundex, at the same address.
        if (postcode is not null && v[(int)MatchField.StreetNumber] is { } houseNumber)
        {
            keys[11] = Hash(11, postcode, houseNumber);
        }

        if (givenSoundex is not null && postcode is not null)
        {
            keys[12] = Hash(12, givenSoundex, postcode);
        }

        // Given and family names typed in each other's place, one of them mistyped (white/whtie share a soundex).
        if (givenSoundex is { Length: > 0 } gs && familySoundex is { Length: > 0 } fs && postcode is not null)
        {
            keys[13] = Hash(13, string.CompareOrdinal(gs, fs) <= 0 ? gs + fs : fs + gs, postcode);
        }
    }

    /// <summary>All candidate pairs (i &lt; j) of <paramref name="records"/>.</summary>
    /// <remarks>With <paramref name="delta"/>, only blocks holding a delta record are kept and only pairs touching one are produced.</remarks>
    public static List<(int A, int B)> CandidatePairs(IReadOnlyList<MatchRecord> records, int maxBlockSize, bool[]? delta, out int skippedBlocks) =>
        CandidatePairs(records, maxBlockSize, maxBlockSize, delta, out skippedBlocks, out _, out _);

    /// <summary>Keys made of names alone: common names make their blocks grow with the customer base.</summary>
    public static bool NameOnly(int key) => key is 4 or 8;

    /// <summary>All candidate pairs, and every record's <see cref="KeyCount"/> key hashes (record-major).</summary>
    public static List<(int A, int B)> CandidatePairs(
        IReadOnlyList<MatchRecord> records, int maxBlockSize, int maxNameBlockSize, bool[]? delta, out int skippedBlocks, out ulong[] keys, out long[] pairsPerKey)
    {
        var n = records.Count;
        var all = new ulong[n * KeyCount];
        keys = all;
        Parallel.For(0, n, i => Keys(records[i], all.AsSpan(i * KeyCount, KeyCount)));

        HashSet<ulong>? wanted = null;
        if (delta is not null)
        {
            wanted = [];
            for (var i = 0; i < keys.Length; i++)
            {
                if (keys[i] != 0 && delta[i / KeyCount])
                {
                    wanted.Add(keys[i]);
                }
            }
        }

        var count = 0;
        for (var i = 0; i < keys.Length; i++)
        {
            if (keys[i] != 0 && (wanted is null || wanted.Contains(keys[i])))
            {
                count++;
            }
        }

        var hashes = new ulong[count];
        var owners = new int[count];
        count = 0;
        for (var i = 0; i < keys.Length; i++)
        {
            if (keys[i] != 0 && (wanted is null || wanted.Contains(keys[i])))
            {
                hashes[count] = keys[i];
                owners[count++] = i / KeyCount;
            }
        }

        // Records were added in index order; a stable order inside each block keeps runs reproducible.
        Array.Sort(hashes, owners);
        var span = hashes;

        // Block boundaries, then pairs per block in parallel (each worker keeps its own list).
        var starts = new List<int>();
        for (var i = 0; i < span.Length; i++)
        {
            if (i == 0 || span[i] != span[i - 1])
            {
                starts.Add(i);
            }
        }

        starts.Add(span.Length);
        var oversized = new HashSet<ulong>();
        for (var b = 0; b < starts.Count - 1; b++)
        {
            var size = starts[b + 1] - starts[b];
            if (size > maxBlockSize || (size > maxNameBlockSize && NameOnly(Key(span[starts[b]], all, owners[starts[b]]))))
            {
                oversized.Add(span[starts[b]]);
            }
        }

        var skipped = oversized.Count;
        var results = new List<(int, int)>[Environment.ProcessorCount];
        var perKey = new long[KeyCount + 1];
        Parallel.For(0, results.Length, w =>
        {
            var local = new List<(int, int)>();
            var localPerKey = new long[KeyCount + 1];
            for (var b = w; b < starts.Count - 1; b += results.Length)
            {
                var lo = starts[b];
                var hi = starts[b + 1];
                var size = hi - lo;
                if (size < 2)
                {
                    continue;
                }

                if (oversized.Contains(hashes[lo]))
                {
                    continue;
                }

                Array.Sort(owners, lo, hi - lo);
                var key = Key(hashes[lo], all, owners[lo]);
                for (var i = lo; i < hi; i++)
                {
                    var ri = owners[i];
                    for (var j = i + 1; j < hi; j++)
                    {
                        var rj = owners[j];
                        if (ri != rj && (delta is null || delta[ri] || delta[rj]) && !SharedEarlierKey(all, ri, rj, key, oversized))
                        {
                            local.Add((ri, rj));
                            localPerKey[key]++;
                        }
                    }
                }
            }

            results[w] = local;
            lock (perKey)
            {
                for (var k = 0; k < perKey.Length; k++)
                {
                    perKey[k] += localPerKey[k];
                }
            }
        });

        skippedBlocks = skipped;
        pairsPerKey = perKey;
        var pairs = new List<(int A, int B)>(results.Sum(r => r.Count));
        foreach (var r in results)
        {
            pairs.AddRange(r);
        }

        return pairs;
    }

    /// <summary>
    /// The fields each key is built from, and those it implies (names and phone numbers tell the
    /// country, a postcode the town and region): EM leaves them out of the pairs that share that key,
    /// where they agree whatever the match status.
    /// </summary>
    public static readonly MatchField[][] KeyFields =
    [
        [MatchField.Email],
        [MatchField.Phone, MatchField.Country],
        [MatchField.NationalId],
        [MatchField.DateOfBirth, MatchField.Family, MatchField.Country],
        [MatchField.Given, MatchField.Family, MatchField.Country],
        [MatchField.Family, MatchField.Postcode, MatchField.Country, MatchField.Locality, MatchField.Region],
        [MatchField.Street, MatchField.StreetNumber, MatchField.Family, MatchField.Country, MatchField.Locality],
        [MatchField.Given, MatchField.DateOfBirth, MatchField.Country],
        [MatchField.Family, MatchField.Given, MatchField.Country],
        [MatchField.Postcode, MatchField.DateOfBirth, MatchField.Country, MatchField.Locality, MatchField.Region],
        [MatchField.DateOfBirth, MatchField.Given, MatchField.Country],
        [MatchField.Postcode, MatchField.StreetNumber, MatchField.Country, MatchField.Locality, MatchField.Region],
        [MatchField.Given, MatchField.Postcode, MatchField.Country, MatchField.Locality, MatchField.Region],
        [MatchField.Given, MatchField.Family, MatchField.Postcode, MatchField.Country, MatchField.Locality, MatchField.Region],
    ];

    /// <summary>The keys two records share, one bit per key.</summary>
    public static int SharedKeys(ulong[] keys, int a, int b)
    {
        var mask = 0;
        for (var k = 0; k < KeyCount; k++)
        {
            var h = keys[(a * KeyCount) + k];
            if (h != 0 && h == keys[(b * KeyCount) + k])
            {
                mask |= 1 << k;
            }
        }

        return mask;
    }

    /// <summary>Which key index produced <paramref name="hash"/> for record <paramref name="record"/>.</summary>
    private static int Key(ulong hash, ulong[] keys, int record)
    {
        for (var k = 0; k < KeyCount; k++)
        {
            if (keys[(record * KeyCount) + k] == hash)
            {
                return k;
            }
        }

        return KeyCount;
    }

    // A pair sharing an earlier key was already produced by that key's block, unless that block was too large and skipped.
    private static bool SharedEarlierKey(ulong[] keys, int a, int b, int key, HashSet<ulong> oversized)
    {
        for (var k = 0; k < key; k++)
        {
            var h = keys[(a * KeyCount) + k];
            if (h != 0 && h == keys[(b * KeyCount) + k] && !oversized.Contains(h))
            {
                return true;
            }
        }

        return false;
    }

    private static string Prefix(string s, int n) => s.Length <= n ? s : s[..n];

    private static ulong Hash(int key, string? a, string? b = null)
    {
        if (a is null)
        {
            return 0;
        }

        // FNV-1a, 64-bit, seeded by the key number so equal strings under different keys differ.
        var h = 14695981039346656037UL ^ (ulong)(key + 1);
        foreach (var ch in a)
        {
            h = (h ^ ch) * 1099511628211UL;
        }

        if (b is not null)
        {
            h = (h ^ 0x1F) * 1099511628211UL;
            foreach (var ch in b)
            {
                h = (h ^ ch) * 1099511628211UL;
            }
        }

        return h == 0 ? 1 : h;
    }
}
