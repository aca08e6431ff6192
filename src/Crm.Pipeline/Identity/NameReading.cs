namespace Crm.Pipeline.Identity;

/// <summary>How two records' names were read to compare them.</summary>
internal enum NameReading
{
    /// <summary>Given name against given name, family against family.</summary>
    AsWritten,

    /// <summary>One record's given and family names typed in each other's place.</summary>
    Swapped,

    /// <summary>
    /// One whole name in another order or split at another place, spaces dropped: romanised Chinese and Japanese
    /// names in one piece (拓也高橋 "tayegaoqiao", 高橋拓也 "gaoqiaotaye"), or 李 静 against 李静.
    /// </summary>
    Reordered,
}
