namespace Crm.Pipeline.Notifications;

/// <summary>One claimed message: which incident, opening or resolve, to which channel, and the how-manyth attempt.</summary>
public sealed record NotificationMessage(
    long NotificationId, long IncidentId, string Event, string Channel, int Attempts,
    string IncidentKey, string Title, string? Detail, DateTime OpenedAt, DateTime? ResolvedAt)
{
    /// <summary>True for the message that says the incident is over.</summary>
    public bool IsResolve => Event == "resolve";
}
