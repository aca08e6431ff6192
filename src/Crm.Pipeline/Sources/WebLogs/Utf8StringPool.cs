using System.Text;

namespace Crm.Pipeline.Sources.WebLogs;

/// <summary>
/// A small direct-mapped cache from UTF-8 bytes to strings, so the values a log repeats
/// (user agents, referrers, addresses, methods) are decoded once, not once per line.
/// </summary>
internal sealed class Utf8StringPool
{
    private readonly Entry[] _entries;
    private readonly int _mask;
    private readonly int _maxLength;

    public Utf8StringPool(int capacityPowerOfTwo = 1 << 14, int maxLength = 1024)
    {
        _entries = new Entry[capacityPowerOfTwo];
        _mask = capacityPowerOfTwo - 1;
        _maxLength = maxLength;
    }

    public string Get(ReadOnlySpan<byte> bytes) => Get(bytes, null);

    /// <summary>The string for <paramref name="bytes"/>, passed through <paramref name="transform"/> once per distinct value.</summary>
    public string Get(ReadOnlySpan<byte> bytes, Func<string, string>? transform)
    {
        if (bytes.Length > _maxLength)
        {
            var long_ = Encoding.UTF8.GetString(bytes);
            return transform is null ? long_ : transform(long_);
        }

        var hash = new HashCode();
        hash.AddBytes(bytes);
        var h = hash.ToHashCode();
        ref var entry = ref _entries[h & _mask];
        if (entry.Value is not null && entry.Hash == h && bytes.SequenceEqual(entry.Bytes))
        {
            return entry.Value;
        }

        var value = Encoding.UTF8.GetString(bytes);
        if (transform is not null)
        {
            value = transform(value);
        }

        entry = new Entry(h, bytes.ToArray(), value);
        return value;
    }

    private readonly record struct Entry(int Hash, byte[] Bytes, string Value);
}
