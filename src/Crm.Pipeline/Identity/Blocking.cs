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
    public const int KeyCount = 10;

    public static readonly string[] KeyNames =
    [
        "email", "phone", "national id", "date of birth", "name initials pair", "family soundex + postcode",
        "street + number", "given soundex + birth year", "family prefix + given initial", "postcode + birth month",
    ];

    /// <summary>Fills the <see cref="KeyCount"/> key hashes of a record (0 = key not available).</summary>
    public static void Keys(MatchRecord r, Span<ulong> keys)
    {
        var v = r.Values;
        var given = v[(int)MatchField.Given];
        var family = v[(int)MatchField.Family];
        var dob = v[(int)MatchField.DateOfBirth];
        var postcode = v[(int)MatchField.Postcode];
        keys.Clear();
        keys[0] = Hash(0, v[(int)MatchField.Email]);
        keys[1] = Hash(1, v[(int)MatchField.Phone]);
        keys[2] = Hash(2, v[(int)MatchField.NationalId]);
        keys[3] = Hash(3, dob);
        if (given is not null && family is not null)
        {
            var a = Prefix(given, 3);
            var b = Prefix(family, 3);
            keys[4] = string.CompareOrdinal(a, b) <= 0 ? Hash(4, a, b) : Hash(4, b, a);
        }

        if (family is not null && postcode is not null)
        {
            keys[5] = Hash(5, Similarity.Soundex(family), postcode);
        }

        var street = v[(int)MatchField.Street];
        if (street is not null && v[(int)MatchField.StreetNumber] is { } number)
        {
            keys[6] = Hash(6, Prefix(street, 8), number);
        }

        if (given is not null && dob is not null && dob.Length >= 4)
        {
            keys[7] = Hash(7, Similarity.Soundex(given), dob[..4]);
        }

        if (given is not null && family is not null)
        {
            keys[8] = Hash(8, Prefix(family, 4), given[..1]);
        }

        if (postcode is not null && dob is not null && dob.Length >= 7)
        {
            keys[9] = Hash(9, postcode, dob[..7]);
        }
    }

    /// <summary>All candidate pairs (i &lt; j) of <paramref name="records"/>.</summary>
    /// <remarks>With <paramref name="delta"/>, only blocks holding a delta record are kept and only pairs touching one are produced.</remarks>
    public static List<(int A, int B)> CandidatePairs(IReadOnlyList<MatchRecord> records, int maxBlockSize, bool[]? delta, out int skippedBlocks)
    {
        var n = records.Count;
        var keys = new ulong[n * KeyCount];
        Parallel.For(0, n, i => Keys(records[i], keys.AsSpan(i * KeyCount, KeyCount)));

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

        var entries = new List<(ulong Hash, int Record)>(wanted is null ? n * 4 : wanted.Count * 4);
        for (var i = 0; i < keys.Length; i++)
        {
            if (keys[i] != 0 && (wanted is null || wanted.Contains(keys[i])))
            {
                entries.Add((keys[i], i / KeyCount));
            }
        }

        var span = CollectionsMarshal.AsSpan(entries);
        span.Sort(static (x, y) => x.Hash != y.Hash ? x.Hash.CompareTo(y.Hash) : x.Record.CompareTo(y.Record));

        // Block boundaries, then pairs per block in parallel (each worker keeps its own list).
        var starts = new List<int>();
        for (var i = 0; i < span.Length; i++)
        {
            if (i == 0 || span[i].Hash != span[i - 1].Hash)
            {
                starts.Add(i);
            }
        }

        starts.Add(span.Length);
        var oversized = new HashSet<ulong>();
        for (var b = 0; b < starts.Count - 1; b++)
        {
            if (starts[b + 1] - starts[b] > maxBlockSize)
            {
                oversized.Add(span[starts[b]].Hash);
            }
        }

        var skipped = oversized.Count;
        var all = entries;
        var results = new List<(int, int)>[Environment.ProcessorCount];
        Parallel.For(0, results.Length, w =>
        {
            var local = new List<(int, int)>();
            for (var b = w; b < starts.Count - 1; b += results.Length)
            {
                var lo = starts[b];
                var hi = starts[b + 1];
                var size = hi - lo;
                if (size < 2)
                {
                    continue;
                }

                if (size > maxBlockSize)
                {
                    continue;
                }

                var key = Key(all[lo].Hash, keys, all[lo].Record);
                for (var i = lo; i < hi; i++)
                {
                    var ri = all[i].Record;
                    for (var j = i + 1; j < hi; j++)
                    {
                        var rj = all[j].Record;
                        if (ri != rj && (delta is null || delta[ri] || delta[rj]) && !SharedEarlierKey(keys, ri, rj, key, oversized))
                        {
                            local.Add((ri, rj));
                        }
                    }
                }
            }

            results[w] = local;
        });

        skippedBlocks = skipped;
        var pairs = new List<(int A, int B)>(results.Sum(r => r.Count));
        foreach (var r in results)
        {
            pairs.AddRange(r);
        }

        return pairs;
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
