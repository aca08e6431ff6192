using Microsoft.Extensions.Options;

namespace Crm.Pipeline.Sources.WebLogs;

/// <summary>Checks <see cref="WebLogsOptions"/> at start, naming each bad setting.</summary>
public sealed class WebLogsOptionsValidator : IValidateOptions<WebLogsOptions>
{
    private static readonly string[] Formats = ["auto", "combined", "common", "nginx", "w3c", "iis", "json", "custom"];

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, WebLogsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.SessionTimeoutMinutes is < 1 or > 24 * 60)
        {
            failures.Add($"Crm:WebLogs:SessionTimeoutMinutes must be 1..1440; got {options.SessionTimeoutMinutes}.");
        }

        if (!string.IsNullOrWhiteSpace(options.CampaignSends.Folder)
            && (string.IsNullOrWhiteSpace(options.CampaignSends.TokenColumn) || string.IsNullOrWhiteSpace(options.CampaignSends.EmailColumn)))
        {
            failures.Add("Crm:WebLogs:CampaignSends:TokenColumn and EmailColumn are required when a Folder is set.");
        }

        if (!string.IsNullOrWhiteSpace(options.CampaignSends.Folder))
        {
            if (SourceFolders.Problem(options.CampaignSends.Folder) is { } sendsProblem)
            {
                failures.Add($"Crm:WebLogs:CampaignSends:Folder '{options.CampaignSends.Folder}' {sendsProblem}; create it, or fix the path.");
            }

            if (SourceFolders.PatternProblem(options.CampaignSends.Pattern) is { } sendsPattern)
            {
                failures.Add($"Crm:WebLogs:CampaignSends:Pattern '{options.CampaignSends.Pattern}' {sendsPattern}.");
            }
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Sources.Count; i++)
        {
            var s = options.Sources[i];
            var at = $"Crm:WebLogs:Sources:{i}";
            if (string.IsNullOrWhiteSpace(s.Name))
            {
                failures.Add($"{at}:Name is required.");
            }
            else if (!names.Add(s.Name))
            {
                failures.Add($"{at}:Name '{s.Name}' is used twice.");
            }

            if (!string.IsNullOrWhiteSpace(s.Folder) && SourceFolders.Problem(s.Folder) is { } folderProblem)
            {
                failures.Add($"{at}:Folder '{s.Folder}' {folderProblem}; create it, or fix the path.");
            }

            if (SourceFolders.PatternProblem(s.Pattern) is { } patternProblem)
            {
                failures.Add($"{at}:Pattern '{s.Pattern}' {patternProblem}.");
            }

            if (WebLogFormats.Validate(s) is { } formatError)
            {
                failures.Add($"{at}: {formatError}");
            }

            if (s.IpPrivacy is not ("keep" or "truncate" or "hash"))
            {
                failures.Add($"{at}:IpPrivacy must be keep, truncate or hash; got '{s.IpPrivacy}'.");
            }
            else if (s.IpPrivacy == "hash" && string.IsNullOrEmpty(s.IpSalt))
            {
                failures.Add($"{at}:IpSalt is required for IpPrivacy 'hash' (set it from the environment, e.g. Crm__WebLogs__Sources__{i}__IpSalt).");
            }

            if (s.SegmentBytes < 64 * 1024)
            {
                failures.Add($"{at}:SegmentBytes must be at least 65536; got {s.SegmentBytes}.");
            }

            if (s.MaxLineBytes is < 1024 or > 16 << 20)
            {
                failures.Add($"{at}:MaxLineBytes must be 1024..16777216; got {s.MaxLineBytes}.");
            }

            if (!Formats.Contains(s.Format.ToLowerInvariant()))
            {
                failures.Add($"{at}:Format must be one of {string.Join(", ", Formats)}; got '{s.Format}'.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
