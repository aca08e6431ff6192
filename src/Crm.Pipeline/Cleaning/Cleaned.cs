namespace Crm.Pipeline.Cleaning;

/// <summary>
/// The result of normalising one field: the clean value, or the reason it was rejected.
/// A missing input gives neither (it stays missing; nothing is invented).
/// </summary>
/// <param name="Value">The normalised value, or null when missing or invalid.</param>
/// <param name="Error">Why the raw value was rejected, or null.</param>
public readonly record struct Cleaned(string? Value, string? Error)
{
    /// <summary>A missing value.</summary>
    public static Cleaned Missing => default;

    /// <summary>True when the raw value was present but failed validation.</summary>
    public bool IsInvalid => Error is not null;

    internal static Cleaned Ok(string value) => new(value, null);

    internal static Cleaned Fail(string reason) => new(null, reason);
}
