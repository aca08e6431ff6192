namespace Crm.Pipeline.Identity;

/// <summary>Why two records were linked.</summary>
public enum MatchRule
{
    /// <summary>Fellegi–Sunter probability above the threshold.</summary>
    Probabilistic,

    /// <summary>Same normalised e-mail address.</summary>
    Email,

    /// <summary>Same phone number, names not disagreeing.</summary>
    Phone,

    /// <summary>An administrator's forced link.</summary>
    Manual,

    /// <summary>A direct link written by a source (a web login naming the customer).</summary>
    Source,
}

/// <summary>A candidate pair with its comparison pattern and match probability.</summary>
/// <param name="A">Index of the first record.</param>
/// <param name="B">Index of the second record.</param>
/// <param name="Pattern">Packed comparison levels.</param>
/// <param name="Probability">Match probability.</param>
/// <param name="Rule">The rule that linked it.</param>
public readonly record struct ScoredPair(int A, int B, ulong Pattern, double Probability, MatchRule Rule);
