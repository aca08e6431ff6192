using System.Globalization;

namespace Crm.Pipeline.Notifications;

/// <summary>Durations as people write them in settings: <c>26h</c>, <c>90m</c>, <c>45s</c>, <c>2d</c>.</summary>
public static class Durations
{
    /// <summary>Parses <paramref name="text"/>; false for anything but a positive number followed by d, h, m or s.</summary>
    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = default;
        text = text?.Trim();
        if (string.IsNullOrEmpty(text) || text.Length < 2)
        {
            return false;
        }

        if (!double.TryParse(text[..^1], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number) || number <= 0)
        {
            return false;
        }

        value = char.ToLowerInvariant(text[^1]) switch
        {
            'd' => TimeSpan.FromDays(number),
            'h' => TimeSpan.FromHours(number),
            'm' => TimeSpan.FromMinutes(number),
            's' => TimeSpan.FromSeconds(number),
            _ => TimeSpan.Zero,
        };
        return value > TimeSpan.Zero;
    }

    /// <summary>A duration the way the settings say it: <c>26 h</c>, <c>90 min</c>, <c>45 s</c>.</summary>
    public static string Format(TimeSpan value) =>
        value.TotalHours >= 1 && value.TotalHours == Math.Floor(value.TotalHours) ? string.Create(CultureInfo.InvariantCulture, $"{value.TotalHours:0} h")
        : value.TotalMinutes >= 1 && value.TotalMinutes == Math.Floor(value.TotalMinutes) ? string.Create(CultureInfo.InvariantCulture, $"{value.TotalMinutes:0} min")
        : string.Create(CultureInfo.InvariantCulture, $"{value.TotalSeconds:0.#} s");

    /// <summary>A time of day <c>HH:mm</c> or <c>HH:mm:ss</c>.</summary>
    public static bool TryParseTimeOfDay(string? text, out TimeOnly value) =>
        TimeOnly.TryParseExact(text?.Trim(), ["HH:mm", "HH:mm:ss"], CultureInfo.InvariantCulture, DateTimeStyles.None, out value);
}
