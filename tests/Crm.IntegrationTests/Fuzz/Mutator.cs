using System.Text;

namespace Crm.IntegrationTests.Fuzz;

/// <summary>
/// Seeded byte mutations of real lines and messages for the parser fuzz tests: a bounded number of cases, the same on
/// every run (the seed is in the test), so a failure can be replayed.
/// </summary>
internal sealed class Mutator(int seed)
{
    /// <summary>Tokens that tend to break parsers: huge numbers, signs, separators, quotes, escapes, bad UTF-8, NUL.</summary>
    private static readonly byte[][] Nasty =
    [
        "99999999999999999999999"u8.ToArray(), "-1"u8.ToArray(), "0"u8.ToArray(), "NaN"u8.ToArray(), "1e309"u8.ToArray(),
        "%00"u8.ToArray(), "%ZZ"u8.ToArray(), "\\"u8.ToArray(), "\""u8.ToArray(), "["u8.ToArray(), "]"u8.ToArray(),
        "{"u8.ToArray(), "}"u8.ToArray(), ","u8.ToArray(), ";"u8.ToArray(), "\t"u8.ToArray(), " "u8.ToArray(),
        [0xC3, 0x28], [0xFF, 0xFE], [0xEF, 0xBB, 0xBF], [0x00], [0xE2, 0x80, 0xAE], "\u00e9\u4e2d\U0001F600"u8.ToArray(),
        "9999-99-99"u8.ToArray(), "31/Feb/2024:25:61:61 +9999"u8.ToArray(), "1969-12-31T23:59:59Z"u8.ToArray(),
    ];

    private readonly Random _random = new(seed);

    /// <summary>A random element of <paramref name="items"/>.</summary>
    public T Pick<T>(IReadOnlyList<T> items) => items[_random.Next(items.Count)];

    /// <summary>
    /// One to three mutations of <paramref name="line"/> (or, one time in ten, random bytes, one in ten the line
    /// unchanged), none of which adds a byte of <paramref name="forbidden"/>.
    /// </summary>
    public byte[] Line(byte[] line, ReadOnlySpan<byte> forbidden)
    {
        var roll = _random.Next(10);
        if (roll == 0)
        {
            return line;
        }

        if (roll == 1)
        {
            var garbage = new byte[_random.Next(1, 300)];
            _random.NextBytes(garbage);
            return Without(garbage, forbidden);
        }

        var bytes = new List<byte>(line);
        for (var n = _random.Next(1, 4); n > 0; n--)
        {
            Mutate(bytes, forbidden);
        }

        return [.. bytes];
    }

    /// <summary>A few mutations of a whole message; line breaks may be added or removed.</summary>
    public byte[] Message(byte[] message, int keepPrefix)
    {
        var bytes = new List<byte>(message);
        for (var n = _random.Next(1, 6); n > 0; n--)
        {
            switch (_random.Next(6))
            {
                case 0 when bytes.Count > keepPrefix + 1:
                    var at = _random.Next(keepPrefix, bytes.Count);
                    bytes.RemoveRange(at, bytes.Count - at); // truncated
                    break;
                case 1:
                    // A boundary that no longer matches its declaration (or a delimiter line that moved).
                    var text = Encoding.Latin1.GetString([.. bytes]);
                    var dash = text.IndexOf("\n--", keepPrefix, StringComparison.Ordinal);
                    if (dash >= 0)
                    {
                        bytes.InsertRange(dash + 3, "x"u8.ToArray());
                    }

                    break;
                case 2 when bytes.Count > keepPrefix:
                    // A line deleted or doubled.
                    var start = Encoding.Latin1.GetString([.. bytes]).IndexOf('\n', _random.Next(keepPrefix, bytes.Count));
                    if (start >= 0)
                    {
                        var end = bytes.IndexOf((byte)'\n', start + 1);
                        end = end < 0 ? bytes.Count : end;
                        if (_random.Next(2) == 0)
                        {
                            bytes.RemoveRange(start, end - start);
                        }
                        else
                        {
                            bytes.InsertRange(end, bytes.GetRange(start, end - start));
                        }
                    }

                    break;
                default:
                    var tail = bytes.GetRange(keepPrefix, bytes.Count - keepPrefix);
                    Mutate(tail, []);
                    bytes.RemoveRange(keepPrefix, bytes.Count - keepPrefix);
                    bytes.AddRange(tail);
                    break;
            }
        }

        return [.. bytes];
    }

    private void Mutate(List<byte> bytes, ReadOnlySpan<byte> forbidden)
    {
        var at = bytes.Count == 0 ? 0 : _random.Next(bytes.Count);
        switch (_random.Next(6))
        {
            case 0 when bytes.Count > 0: // a byte changed
                bytes[at] = RandomByte(forbidden);
                break;
            case 1 when bytes.Count > 0: // a run deleted
                bytes.RemoveRange(at, Math.Min(bytes.Count - at, _random.Next(1, 40)));
                break;
            case 2 when bytes.Count > 0: // cut short
                bytes.RemoveRange(at, bytes.Count - at);
                break;
            case 3 when bytes.Count > 0: // a run repeated
                var length = Math.Min(bytes.Count - at, _random.Next(1, 60));
                bytes.InsertRange(at, bytes.GetRange(at, length));
                break;
            default: // a nasty token put in
                bytes.InsertRange(at, Without(Pick(Nasty), forbidden));
                break;
        }
    }

    private byte RandomByte(ReadOnlySpan<byte> forbidden)
    {
        while (true)
        {
            var b = (byte)_random.Next(256);
            if (forbidden.IndexOf(b) < 0)
            {
                return b;
            }
        }
    }

    private static byte[] Without(byte[] bytes, ReadOnlySpan<byte> forbidden)
    {
        var kept = new List<byte>(bytes.Length);
        foreach (var b in bytes)
        {
            kept.Add(forbidden.IndexOf(b) < 0 ? b : (byte)'x');
        }

        return [.. kept];
    }
}
