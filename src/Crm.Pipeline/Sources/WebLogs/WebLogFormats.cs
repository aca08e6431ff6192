namespace Crm.Pipeline.Sources.WebLogs;

/// <summary>Builds the line parser for a source: an explicit format, or one detected from a file's first lines.</summary>
internal static class WebLogFormats
{
    /// <summary>Why a source's format settings cannot work, or null.</summary>
    public static string? Validate(WebLogSourceOptions source)
    {
        var format = source.Format.ToLowerInvariant();
        if (format == "custom" && string.IsNullOrWhiteSpace(source.LogFormat))
        {
            return "Format 'custom' needs LogFormat (an Apache LogFormat or nginx log_format string).";
        }

        try
        {
            if (!string.IsNullOrWhiteSpace(source.LogFormat))
            {
                _ = LogFormat.Compile(source.Name, source.LogFormat);
            }

            if (format == "json")
            {
                _ = new JsonLineParser(source.JsonFields);
            }
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            return e.Message;
        }

        return null;
    }

    /// <summary>
    /// The parser for <paramref name="formatOverride"/> (or the source's format); <c>auto</c> looks at
    /// <paramref name="sample"/>, the file's first lines. A custom <c>LogFormat</c> always wins over detection.
    /// </summary>
    public static IWebLogLineParser Create(WebLogSourceOptions source, string? formatOverride, IReadOnlyList<byte[]> sample)
    {
        var format = (formatOverride ?? source.Format).ToLowerInvariant();
        if (format == "auto" && !string.IsNullOrWhiteSpace(source.LogFormat))
        {
            format = "custom";
        }

        return format switch
        {
            "combined" => new ClfLineParser(LogFormat.Compile("combined", LogFormat.ApacheCombined)),
            "common" => new ClfLineParser(LogFormat.Compile("common", LogFormat.ApacheCommon)),
            "nginx" => new ClfLineParser(LogFormat.Compile("nginx", LogFormat.NginxCombined)),
            "w3c" or "iis" => new W3cLineParser(),
            "json" => new JsonLineParser(source.JsonFields),
            "custom" => new ClfLineParser(LogFormat.Compile("custom", source.LogFormat
                ?? throw new InvalidOperationException($"Web log source '{source.Name}': Format 'custom' needs LogFormat."))),
            "auto" => Detect(source, sample),
            _ when format.Contains('%', StringComparison.Ordinal) || format.Contains('$', StringComparison.Ordinal)
                => new ClfLineParser(LogFormat.Compile("custom", formatOverride ?? source.Format)),
            _ => throw new InvalidOperationException($"Web log source '{source.Name}': unknown format '{format}' (auto, combined, common, nginx, w3c, json, custom, or a format string)."),
        };
    }

    /// <summary>Picks the format most of the sample lines parse with (combined before common on a tie).</summary>
    public static IWebLogLineParser Detect(WebLogSourceOptions source, IReadOnlyList<byte[]> sample)
    {
        foreach (var line in sample)
        {
            var span = line.AsSpan().Trim(" \t\r"u8);
            if (span.IsEmpty)
            {
                continue;
            }

            if (span.StartsWith("#Software:"u8) || span.StartsWith("#Version:"u8) || span.StartsWith("#Fields:"u8))
            {
                return new W3cLineParser();
            }

            if (span[0] == '{')
            {
                return new JsonLineParser(source.JsonFields);
            }

            break;
        }

        var candidates = new IWebLogLineParser[]
        {
            new ClfLineParser(LogFormat.Compile("combined", LogFormat.ApacheCombined)),
            new ClfLineParser(LogFormat.Compile("common", LogFormat.ApacheCommon)),
        };
        var hit = new WebHit();
        IWebLogLineParser best = candidates[0];
        var bestScore = 0;
        foreach (var candidate in candidates)
        {
            var score = 0;
            foreach (var line in sample)
            {
                if (candidate.Parse(line, hit, out _) == LineKind.Hit)
                {
                    score++;
                }
            }

            if (score > bestScore)
            {
                best = candidate;
                bestScore = score;
            }
        }

        return best;
    }
}
