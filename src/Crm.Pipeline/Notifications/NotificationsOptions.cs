using Crm.Pipeline.Reports;

namespace Crm.Pipeline.Notifications;

/// <summary>
/// <c>Crm:Notifications</c>: who is told when something goes wrong (admin addresses through the configured SMTP
/// server, webhooks), and the conditions the service watches beyond failed runs and raised alerts (silent sources,
/// the nightly's deadlines). Nothing is watched while no address and no webhook is configured.
/// </summary>
public sealed class NotificationsOptions
{
    /// <summary>Admin addresses; each gets one email per incident and one when it is resolved.</summary>
    public List<string> Emails { get; set; } = [];

    /// <summary>Webhooks (Slack, Teams, any JSON receiver); each gets one POST per incident and one when it is resolved.</summary>
    public List<WebhookOptions> Webhooks { get; set; } = [];

    /// <summary>Sources that must bring something new within a time (<c>no new orders for 26h</c>).</summary>
    public List<SilenceOptions> Silences { get; set; } = [];

    /// <summary>The dead-man's switch: by when the nightly run must have started and finished.</summary>
    public NightlyDeadlineOptions Nightly { get; set; } = new();

    /// <summary>Seconds between two looks at the warehouse. Default 30.</summary>
    public int CheckSeconds { get; set; } = 30;

    /// <summary>Seconds before the first retry of a failed send; doubled on each further one, up to an hour. Default 60.</summary>
    public int RetrySeconds { get; set; } = 60;

    /// <summary>Attempts per message before it is given up. Default 10.</summary>
    public int MaxAttempts { get; set; } = 10;

    /// <summary>The dashboard's address, linked from every message when set (e.g. <c>https://crm.example.com</c>).</summary>
    public string? DashboardUrl { get; set; }

    /// <summary>Put before every subject and webhook text. Default <c>[Crm]</c>.</summary>
    public string SubjectPrefix { get; set; } = "[Crm]";

    /// <summary>The SMTP server the emails go through: <c>Crm:Reports:Smtp</c>, the one the manager reports use.</summary>
    public SmtpOptions Smtp { get; set; } = new();

    /// <summary>True when someone is to be told: at least one address or webhook.</summary>
    public bool Enabled => Emails.Count > 0 || Webhooks.Count > 0;
}
