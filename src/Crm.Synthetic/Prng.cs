namespace Crm.Synthetic;

/// <summary>
/// xoshiro256** (Blackman and Vigna), seeded through SplitMix64. Ours rather than
/// <see cref="System.Random"/>, whose algorithm is unspecified and may change between runtimes:
/// the generator promises byte-identical output for the same seed on any .NET version.
/// </summary>
/// <remarks>
/// A mutable struct: pass it by <c>ref</c>. Every person, event and file gets its own stream
/// from <see cref="For(ulong, ulong, ulong)"/>, so what one person does never shifts the random
/// numbers of another and the output does not depend on the order things are generated in.
/// </remarks>
internal struct Prng
{
    private ulong _s0, _s1, _s2, _s3;

    private Prng(ulong seed)
    {
        _s0 = SplitMix(ref seed);
        _s1 = SplitMix(ref seed);
        _s2 = SplitMix(ref seed);
        _s3 = SplitMix(ref seed);
    }

    /// <summary>An independent stream for (seed, a, b): e.g. (seed, stream id, person index).</summary>
    public static Prng For(ulong seed, ulong a, ulong b = 0) => new(Mix(Mix(seed ^ 0x9E3779B97F4A7C15UL, a), b));

    /// <summary>Mixes two 64-bit values into one well-scattered value (SplitMix64 finaliser).</summary>
    public static ulong Mix(ulong x, ulong y)
    {
        var z = x + 0x9E3779B97F4A7C15UL * (y + 1);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private static ulong SplitMix(ref ulong state)
    {
        var z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public ulong NextUInt64()
    {
        var result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform integer in [0, n).</summary>
    public int Next(int n) => n <= 1 ? 0 : (int)((NextUInt64() >> 32) * (ulong)n >> 32);

    /// <summary>Uniform integer in [min, max).</summary>
    public int Next(int min, int max) => min + Next(max - min);

    public bool Chance(double p) => p > 0 && NextDouble() < p;

    public T Pick<T>(T[] items) => items[Next(items.Length)];

    public double Exponential(double rate) => -Math.Log(1.0 - NextDouble()) / rate;

    public double Normal()
    {
        // Box-Muller; one value per call keeps the stream simple.
        var u1 = 1.0 - NextDouble();
        var u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>Gamma(shape, rate) by Marsaglia and Tsang; mean shape / rate.</summary>
    public double Gamma(double shape, double rate)
    {
        if (shape < 1)
        {
            var u = NextDouble();
            return Gamma(shape + 1, rate) * Math.Pow(u, 1.0 / shape);
        }

        var d = shape - 1.0 / 3.0;
        var c = 1.0 / Math.Sqrt(9.0 * d);
        while (true)
        {
            double x, v;
            do
            {
                x = Normal();
                v = 1.0 + c * x;
            }
            while (v <= 0);

            v = v * v * v;
            var u = NextDouble();
            if (u < 1 - 0.0331 * x * x * x * x || Math.Log(u) < 0.5 * x * x + d * (1 - v + Math.Log(v)))
            {
                return d * v / rate;
            }
        }
    }

    public double Beta(double a, double b)
    {
        var x = Gamma(a, 1);
        var y = Gamma(b, 1);
        return x / (x + y);
    }

    /// <summary>Poisson by inversion (small means) or a rounded normal (large ones).</summary>
    public int Poisson(double mean)
    {
        if (mean <= 0)
        {
            return 0;
        }

        if (mean > 30)
        {
            return Math.Max(0, (int)Math.Round(mean + Math.Sqrt(mean) * Normal()));
        }

        var l = Math.Exp(-mean);
        var k = 0;
        var p = 1.0;
        do
        {
            k++;
            p *= NextDouble();
        }
        while (p > l);
        return k - 1;
    }

    /// <summary>Lower-case hex token of <paramref name="length"/> characters.</summary>
    public string Hex(int length)
    {
        return string.Create(length, NextUInt64() ^ (NextUInt64() << 1), static (span, v) =>
        {
            const string digits = "0123456789abcdef";
            var x = v;
            for (var i = 0; i < span.Length; i++)
            {
                if (i == 16)
                {
                    x = Mix(v, 7);
                }

                span[i] = digits[(int)(x & 15)];
                x >>= 4;
            }
        });
    }
}
