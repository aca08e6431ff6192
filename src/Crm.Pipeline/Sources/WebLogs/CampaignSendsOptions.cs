namespace Crm.Pipeline.Sources.WebLogs;

/// <summary>
/// Where the email campaign tool's send logs land (<c>Crm:WebLogs:CampaignSends</c>): CSV exports
/// (plain or <c>.gz</c>) with a header, one row per recipient, naming the opaque tracking token the
/// recipient's links carry and the address it was sent to. They resolve the <c>crm_tid</c> of a
/// clicked link to an email identity. No folder: tokens resolve only when they carry the address.
/// </summary>
public sealed class CampaignSendsOptions
{
    /// <summary>Folder the send logs are exported to; empty = none.</summary>
    public string? Folder { get; set; }

    /// <summary>File name pattern in <see cref="Folder"/>.</summary>
    public string Pattern { get; set; } = "*.csv*";

    /// <summary>Header of the token column.</summary>
    public string TokenColumn { get; set; } = "tracking_token";

    /// <summary>Header of the recipient address column.</summary>
    public string EmailColumn { get; set; } = "email";

    /// <summary>Header of the campaign column (optional in the file).</summary>
    public string CampaignColumn { get; set; } = "campaign";

    /// <summary>Header of the send time column (ISO 8601; optional in the file).</summary>
    public string SentAtColumn { get; set; } = "sent_at";
}
