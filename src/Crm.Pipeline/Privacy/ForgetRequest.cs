namespace Crm.Pipeline.Privacy;

/// <summary>Who to forget: an email address, or a golden customer id.</summary>
/// <param name="Email">The address (any case); its golden customers and every record with it are erased.</param>
/// <param name="CustomerId">A golden customer id (merged ids and survivors included).</param>
public sealed record ForgetRequest(string? Email, long? CustomerId)
{
    /// <summary>The audit's subject kind.</summary>
    public string SubjectKind => Email is not null ? "email" : "customer";
}
