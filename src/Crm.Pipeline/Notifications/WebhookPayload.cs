using System.Text.Json.Serialization;

namespace Crm.Pipeline.Notifications;

/// <summary>The JSON a webhook gets: <c>text</c> for Slack and Teams, the incident's fields for anything else.</summary>
internal sealed record WebhookPayload(
    [property: JsonPropertyName("text")] string Text,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("incident")] string Incident,
    [property: JsonPropertyName("incident_id")] long IncidentId,
    [property: JsonPropertyName("opened_at")] string OpenedAt,
    [property: JsonPropertyName("resolved_at")] string? ResolvedAt);

/// <summary>Source-generated serialisation of <see cref="WebhookPayload"/>.</summary>
[JsonSerializable(typeof(WebhookPayload))]
internal sealed partial class WebhookJson : JsonSerializerContext;
