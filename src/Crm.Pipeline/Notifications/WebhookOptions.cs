using Crm.Pipeline.Reports;

namespace Crm.Pipeline.Notifications;

/// <summary>One webhook: a JSON POST with a Slack- and Teams-compatible <c>text</c> field.</summary>
public sealed class WebhookOptions
{
    /// <summary>A name for logs and the notification records (the URL is a secret and is never logged). Default: the URL's host.</summary>
    public string? Name { get; set; }

    /// <summary>The http or https URL to POST to.</summary>
    public string Url { get; set; } = "";

    /// <summary>Seconds before a POST counts as failed. Default 15.</summary>
    public int TimeoutSeconds { get; set; } = 15;

    /// <summary>The name in effect: <see cref="Name"/>, else the URL's host.</summary>
    public string EffectiveName => !string.IsNullOrWhiteSpace(Name) ? Name!
        : Uri.TryCreate(Url, UriKind.Absolute, out var uri) ? uri.Host : "webhook";
}
