namespace Crm.Pipeline.Identity;

/// <summary>Settings of the matcher (bound from <c>Crm:Identity:Matching</c>).</summary>
public sealed class MatchingOptions
{
    /// <summary>A candidate pair whose Fellegi–Sunter match probability reaches this is linked. Default 0.9.</summary>
    public double MatchThreshold { get; set; } = 0.9;

    /// <summary>Blocks (records sharing one blocking key) larger than this are skipped for that key. Default 400.</summary>
    public int MaxBlockSize { get; set; } = 400;

    /// <summary>
    /// Blocks of the keys made of names alone (name prefixes; family prefix + given initial) larger than
    /// this are skipped for that key. Common names make these blocks grow with the customer base (the
    /// pairs they hold grow with its square), and a pair that shares nothing but a common name cannot
    /// link anyway without another field agreeing, which the other keys find. Default 30.
    /// </summary>
    public int MaxNameBlockSize { get; set; } = 30;

    /// <summary>A merge that would make a cluster larger than this is refused and raised as an alert. Default 50.</summary>
    public int MaxClusterSize { get; set; } = 50;

    /// <summary>Fields whose values must not conflict inside a cluster (compared at their lowest level = "different"). Default: date of birth, national id.</summary>
    public List<MatchField> StrongFields { get; set; } = [MatchField.DateOfBirth, MatchField.NationalId];

    /// <summary>Link pairs with the same normalised e-mail address without scoring. Default true.</summary>
    public bool EmailRule { get; set; } = true;

    /// <summary>Link pairs with the same phone number whose names do not disagree. Default true.</summary>
    public bool PhoneRule { get; set; } = true;

    /// <summary>
    /// A probabilistic link needs at least one field besides the names (and country) to agree closely,
    /// and neither name to be clearly different, however high the score: common full names are shared
    /// by different people, and household members share surname, address and phone, far more often than
    /// the independence assumption of Fellegi–Sunter predicts. Default true.
    /// </summary>
    public bool RequireNonNameAgreement { get; set; } = true;

    /// <summary>
    /// Household guard: members of one household share surname, address and often a phone number, and
    /// their given names may differ by a single letter (Antônia/Antônio, Jean/Jeanne). Unless the given
    /// names are equal, close (a typo, a listed short form) or missing, the address alone never links a
    /// pair: a personal identifier must agree too (e-mail, date of birth, national id). Gendered forms
    /// of one name compare as merely similar, so they stay guarded. Default true.
    /// </summary>
    public bool HouseholdGuard { get; set; } = true;

    /// <summary>Hold u at the values measured on random pairs during EM (Splink's practice). Default true.</summary>
    public bool FixU { get; set; } = true;

    /// <summary>Random pairs sampled to measure u. Default 100,000.</summary>
    public int RandomPairSamples { get; set; } = 100_000;

    /// <summary>Seed of the random-pair sample, so runs are reproducible. Default 7.</summary>
    public int Seed { get; set; } = 7;
}
