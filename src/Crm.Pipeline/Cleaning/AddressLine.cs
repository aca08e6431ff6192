namespace Crm.Pipeline.Cleaning;

/// <summary>A street address split for matching.</summary>
/// <param name="Number">House number (with a letter suffix, e.g. "12a"), or null.</param>
/// <param name="Street">The rest of the line as a match key, abbreviations expanded.</param>
public sealed record AddressLine(string? Number, string? Street);
