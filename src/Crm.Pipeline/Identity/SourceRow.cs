namespace Crm.Pipeline.Identity;

/// <summary>One core.source_customer row as the identity stage loads it.</summary>
internal sealed class SourceRow
{
    public required string Source { get; init; }

    public required string SourceCustomerId { get; init; }

    public string? Email { get; init; }

    public string? Name { get; init; }

    public string? Phone { get; init; }

    public string? Address { get; init; }

    public string? Postcode { get; init; }

    public string? Country { get; init; }

    public string? DateOfBirth { get; init; }

    public DateTimeOffset FirstSeen { get; init; }

    public DateTimeOffset LastSeen { get; init; }

    public DateTimeOffset UpdatedAt { get; init; }

    public long? CustomerId { get; init; }

    /// <summary>Cleaned match keys from a previous run, when still current.</summary>
    public MatchRecord? Clean { get; set; }

    public string Key => Source + "\u001f" + SourceCustomerId;
}
