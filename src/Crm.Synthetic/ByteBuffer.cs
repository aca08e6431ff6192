using System.Text;

namespace Crm.Synthetic;

/// <summary>
/// A growable byte buffer with the few appends the writers need, so a line is formatted straight
/// into UTF-8 bytes without an intermediate string per line.
/// </summary>
internal sealed class ByteBuffer
{
    private byte[] _data;

    public ByteBuffer(int capacity = 1 << 16) => _data = new byte[capacity];

    public int Length { get; private set; }

    public Span<byte> Written => _data.AsSpan(0, Length);

    public ReadOnlySpan<byte> Slice(int start, int length) => _data.AsSpan(start, length);

    public void Clear() => Length = 0;

    public void Truncate(int length) => Length = Math.Min(Length, length);

    private void Ensure(int extra)
    {
        if (Length + extra > _data.Length)
        {
            Array.Resize(ref _data, Math.Max(_data.Length * 2, Length + extra));
        }
    }

    public void Byte(byte b)
    {
        Ensure(1);
        _data[Length++] = b;
    }

    public void Char(char c)
    {
        if (c < 0x80)
        {
            Byte((byte)c);
        }
        else
        {
            Utf8(c.ToString());
        }
    }

    public void Ascii(ReadOnlySpan<byte> s)
    {
        Ensure(s.Length);
        s.CopyTo(_data.AsSpan(Length));
        Length += s.Length;
    }

    public void Utf8(string s)
    {
        Ensure(Encoding.UTF8.GetMaxByteCount(s.Length));
        Length += Encoding.UTF8.GetBytes(s, _data.AsSpan(Length));
    }

    /// <summary>Writes <paramref name="s"/> as ISO-8859-1 (characters above U+00FF become '?'): a wrong encoding on purpose.</summary>
    public void Latin1(string s)
    {
        Ensure(s.Length);
        foreach (var c in s)
        {
            _data[Length++] = c <= 0xFF ? (byte)c : (byte)'?';
        }
    }

    public void Int(long value)
    {
        Ensure(20);
        value.TryFormat(_data.AsSpan(Length), out var n, default, System.Globalization.CultureInfo.InvariantCulture);
        Length += n;
    }

    public void Digits(int value, int width)
    {
        Ensure(width);
        for (var i = width - 1; i >= 0; i--)
        {
            _data[Length + i] = (byte)('0' + value % 10);
            value /= 10;
        }

        Length += width;
    }

    /// <summary>A fixed-point decimal with <paramref name="decimals"/> digits after the point.</summary>
    public void Fixed(long scaled, int decimals)
    {
        if (scaled < 0)
        {
            Byte((byte)'-');
            scaled = -scaled;
        }

        if (decimals == 0)
        {
            Int(scaled);
            return;
        }

        var pow = decimals == 2 ? 100L : (long)Math.Pow(10, decimals);
        Int(scaled / pow);
        Byte((byte)'.');
        Digits((int)(scaled % pow), decimals);
    }

    /// <summary>ISO 8601 with offset: <c>2025-01-31T13:45:07+01:00</c>.</summary>
    public void Iso(DateTime local, int offsetMinutes)
    {
        Date(local, (byte)'-');
        Byte((byte)'T');
        Time(local);
        Offset(offsetMinutes, true);
    }

    public void Date(DateTime d, byte separator)
    {
        Digits(d.Year, 4);
        Byte(separator);
        Digits(d.Month, 2);
        Byte(separator);
        Digits(d.Day, 2);
    }

    public void Time(DateTime d)
    {
        Digits(d.Hour, 2);
        Byte((byte)':');
        Digits(d.Minute, 2);
        Byte((byte)':');
        Digits(d.Second, 2);
    }

    public void Offset(int minutes, bool colon)
    {
        Byte(minutes < 0 ? (byte)'-' : (byte)'+');
        minutes = Math.Abs(minutes);
        Digits(minutes / 60, 2);
        if (colon)
        {
            Byte((byte)':');
        }

        Digits(minutes % 60, 2);
    }

    public void CopyTo(Stream stream) => stream.Write(_data, 0, Length);

    public void CopyTo(Stream stream, int start, int length) => stream.Write(_data, start, length);
}
