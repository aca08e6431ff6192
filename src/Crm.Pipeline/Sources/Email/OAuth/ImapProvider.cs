namespace Crm.Pipeline.Sources.Email.OAuth;

/// <summary>The values of <c>Crm:Email:Imap:Accounts:N:Provider</c>, and what each fills in.</summary>
public static class ImapProvider
{
    /// <summary>A password (or a static access token), as configured.</summary>
    public const string Password = "password";

    /// <summary>Microsoft 365 / Exchange Online: app-only tokens by the client-credentials flow (MSAL).</summary>
    public const string Microsoft365 = "m365";

    /// <summary>Google Workspace: a service account with domain-wide delegation, or an installed app's refresh token.</summary>
    public const string Google = "google";

    /// <summary>Any OAuth2 server: the refresh-token grant against its token endpoint.</summary>
    public const string Generic = "generic";

    /// <summary>Every accepted value.</summary>
    public static IReadOnlyList<string> All { get; } = [Password, Microsoft365, Google, Generic];

    /// <summary>The IMAP host of a provider with a fixed one (m365, google), else null.</summary>
    public static string? PresetHost(string? provider) => provider?.ToLowerInvariant() switch
    {
        Microsoft365 => "outlook.office365.com",
        Google => "imap.gmail.com",
        _ => null,
    };

    /// <summary>Whether the provider signs in with OAuth2 tokens it fetches itself.</summary>
    public static bool FetchesTokens(string? provider) => provider?.ToLowerInvariant() is Microsoft365 or Google or Generic;
}
