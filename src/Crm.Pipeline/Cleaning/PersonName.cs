namespace Crm.Pipeline.Cleaning;

/// <summary>A person's name split for display and for matching.</summary>
/// <param name="Display">The name as shown on the golden record (NFC, title case, honorifics removed).</param>
/// <param name="Given">Given name(s) as a match key: lower-case ASCII letters and single spaces.</param>
/// <param name="Family">Family name as a match key.</param>
public sealed record PersonName(string Display, string? Given, string? Family);
