namespace Crm.Pipeline.Notifications;

/// <summary>A condition that holds now: its key (one open incident per key), a one-line title and the details.</summary>
public sealed record Incident(string Key, string Title, string Detail);
