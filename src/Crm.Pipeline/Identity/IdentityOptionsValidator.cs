using Microsoft.Extensions.Options;

namespace Crm.Pipeline.Identity;

/// <summary>Checks <see cref="IdentityOptions"/> at start, naming each bad setting with its limit and value.</summary>
public sealed class IdentityOptionsValidator : IValidateOptions<IdentityOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, IdentityOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        var m = options.Matching;
        if (m.MatchThreshold is <= 0 or >= 1)
        {
            failures.Add($"Crm:Identity:Matching:MatchThreshold must be between 0 and 1 (exclusive); got {m.MatchThreshold}.");
        }

        if (m.MaxNameBlockSize < 2)
        {
            failures.Add($"Crm:Identity:Matching:MaxNameBlockSize must be at least 2; got {m.MaxNameBlockSize}.");
        }

        if (m.MaxBlockSize < 2)
        {
            failures.Add($"Crm:Identity:Matching:MaxBlockSize must be at least 2; got {m.MaxBlockSize}.");
        }

        if (m.MaxClusterSize < 2)
        {
            failures.Add($"Crm:Identity:Matching:MaxClusterSize must be at least 2; got {m.MaxClusterSize}.");
        }

        if (m.RandomPairSamples < 1000)
        {
            failures.Add($"Crm:Identity:Matching:RandomPairSamples must be at least 1000; got {m.RandomPairSamples}.");
        }

        var review = options.Review;
        if (review.Lower is < 0 or > 1 || double.IsNaN(review.Lower))
        {
            failures.Add($"Crm:Identity:Review:Lower must be a match probability between 0 and 1; got {review.Lower}.");
        }

        if (review.Upper is < 0 or > 1 || double.IsNaN(review.Upper))
        {
            failures.Add($"Crm:Identity:Review:Upper must be a match probability between 0 and 1; got {review.Upper}.");
        }
        else if (review.Lower > review.Upper)
        {
            failures.Add($"Crm:Identity:Review:Lower must not be above Crm:Identity:Review:Upper; got Lower {review.Lower} and Upper {review.Upper} (set them equal for no review queue).");
        }

        if (options.FullRunAboveDeltaShare is < 0 or > 1)
        {
            failures.Add($"Crm:Identity:FullRunAboveDeltaShare must be between 0 and 1; got {options.FullRunAboveDeltaShare}.");
        }

        if (options.Mode is not ("auto" or "full" or "delta"))
        {
            failures.Add($"Crm:Identity:Mode must be auto, full or delta; got '{options.Mode}'.");
        }

        if (string.IsNullOrWhiteSpace(options.Cleaning.DefaultRegion) || options.Cleaning.DefaultRegion.Length != 2
            || !PhoneNumbers.PhoneNumberUtil.GetInstance().GetSupportedRegions().Contains(options.Cleaning.DefaultRegion.ToUpperInvariant()))
        {
            failures.Add($"Crm:Identity:Cleaning:DefaultRegion must be an ISO 3166 alpha-2 code with a phone numbering plan, such as GB; got '{options.Cleaning.DefaultRegion}'.");
        }

        if (options.Cleaning.DefaultCountry is { Length: > 0 } country && (country.Length != 2 || !country.All(char.IsAsciiLetter)))
        {
            failures.Add($"Crm:Identity:Cleaning:DefaultCountry must be empty or an ISO 3166 alpha-2 code such as GB; got '{country}'.");
        }

        for (var i = 0; i < options.SourcePriority.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(options.SourcePriority[i]))
            {
                failures.Add($"Crm:Identity:SourcePriority:{i} is empty; name a source such as 'orders:shop', 'orders:*' or 'email'.");
            }
        }

        if (m.StrongFields.Distinct().Count() != m.StrongFields.Count)
        {
            failures.Add($"Crm:Identity:Matching:StrongFields lists a field twice: {string.Join(", ", m.StrongFields)}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
