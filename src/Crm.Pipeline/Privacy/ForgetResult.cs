namespace Crm.Pipeline.Privacy;

/// <summary>What a forget erased.</summary>
/// <param name="ForgetId">The audit row (<c>ops.forget_audit</c>).</param>
/// <param name="Customers">Golden customer ids erased.</param>
/// <param name="Identifiers">Hashed identifiers added to the suppression list.</param>
/// <param name="Counts">Rows erased or redacted per table.</param>
public sealed record ForgetResult(long ForgetId, IReadOnlyList<long> Customers, int Identifiers, IReadOnlyDictionary<string, long> Counts)
{
    /// <summary>Total rows erased or redacted.</summary>
    public long Total => Counts.Values.Sum();
}
