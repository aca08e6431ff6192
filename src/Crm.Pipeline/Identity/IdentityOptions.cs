using Crm.Pipeline.Cleaning;

namespace Crm.Pipeline.Identity;

/// <summary>Settings of the identity stage (bound from <c>Crm:Identity</c>).</summary>
public sealed class IdentityOptions
{
    /// <summary>Normaliser settings.</summary>
    public CleaningOptions Cleaning { get; set; } = new();

    /// <summary>Matcher settings.</summary>
    public MatchingOptions Matching { get; set; } = new();

    /// <summary>The uncertain band whose pairs go to the review queue.</summary>
    public ReviewOptions Review { get; set; } = new();

    /// <summary>Sources in order of trust for survivorship ties; a trailing * matches a prefix. Default: orders feeds, then e-mail.</summary>
    public List<string> SourcePriority { get; set; } = ["orders:*", "email"];

    /// <summary>Sources whose e-mail addresses are verified (two different verified addresses block a merge). Default none.</summary>
    public List<string> VerifiedEmailSources { get; set; } = [];

    /// <summary>A delta larger than this share of all records runs as a full resolution instead. Default 0.2.</summary>
    public double FullRunAboveDeltaShare { get; set; } = 0.2;

    /// <summary>"auto" (delta when possible), "full" or "delta". Default auto.</summary>
    public string Mode { get; set; } = "auto";
}
