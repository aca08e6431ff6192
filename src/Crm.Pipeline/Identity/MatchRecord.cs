namespace Crm.Pipeline.Identity;

/// <summary>The fields the matcher compares. A record leaves a field null when it has no clean value.</summary>
public enum MatchField
{
    /// <summary>Given name(s), match key.</summary>
    Given,

    /// <summary>Family name, match key.</summary>
    Family,

    /// <summary>Date of birth, ISO yyyy-MM-dd.</summary>
    DateOfBirth,

    /// <summary>Normalised e-mail address.</summary>
    Email,

    /// <summary>Phone number in E.164.</summary>
    Phone,

    /// <summary>House number.</summary>
    StreetNumber,

    /// <summary>Street line, abbreviations expanded.</summary>
    Street,

    /// <summary>Second address line (building, estate).</summary>
    Premise,

    /// <summary>Town, suburb or city.</summary>
    Locality,

    /// <summary>Normalised postcode.</summary>
    Postcode,

    /// <summary>State, county or region code.</summary>
    Region,

    /// <summary>ISO country code.</summary>
    Country,

    /// <summary>A near-key such as a national id number (Febrl's soc_sec_id); absent in CRM sources.</summary>
    NationalId,
}

/// <summary>One person-like record as the matcher sees it: an opaque key and clean field values.</summary>
public sealed class MatchRecord
{
    /// <summary>The number of <see cref="MatchField"/> values.</summary>
    public const int FieldCount = 13;

    /// <summary>Creates a record with all fields missing.</summary>
    public MatchRecord(string key) => Key = key;

    /// <summary>Opaque identity of the record (for warehouse rows: source + '\u001f' + source customer id).</summary>
    public string Key { get; }

    /// <summary>Field values indexed by <see cref="MatchField"/>.</summary>
    internal string?[] Values { get; } = new string?[FieldCount];

    /// <summary>An e-mail address the source has verified (it sent us mail, or confirmed an account); used only by the over-merge guard.</summary>
    public string? VerifiedEmail { get; set; }

    /// <summary>Gets or sets one field.</summary>
    public string? this[MatchField field]
    {
        get => Values[(int)field];
        set => Values[(int)field] = string.IsNullOrEmpty(value) ? null : value;
    }
}
