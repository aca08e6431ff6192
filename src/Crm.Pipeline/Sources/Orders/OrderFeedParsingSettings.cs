namespace Crm.Pipeline.Sources.Orders;

/// <summary>
/// Checks the settings that say how a feed's text is read (<see cref="OrderFeedOptions.Encoding"/>,
/// <see cref="OrderFeedOptions.ThousandsSeparator"/>, <see cref="OrderFeedOptions.TimeColumn"/>,
/// <see cref="OrderFeedOptions.NameColumns"/>, <see cref="OrderFeedOptions.FutureDateMarginDays"/>,
/// <see cref="OrderFeedOptions.CancelledOrderIdPrefix"/>). The options validator runs them at start; the
/// ingester runs them again before a file, so a one-off load with a bad setting fails that file with the
/// setting named instead of a stack trace.
/// </summary>
public static class OrderFeedParsingSettings
{
    /// <summary>The thousands separators <see cref="OrderFeedOptions.ThousandsSeparator"/> accepts (and unset).</summary>
    public static readonly IReadOnlyList<string> ThousandsSeparators = [",", ".", "'", " ", ""];

    /// <summary>
    /// Adds one line per problem to <paramref name="failures"/>, each starting with <paramref name="at"/>
    /// (the feed's setting path with its separator, e.g. <c>Crm:Orders:Feeds:0:</c>) and naming the value it got.
    /// </summary>
    public static void Check(OrderFeedOptions feed, string at, List<string> failures)
    {
        ArgumentNullException.ThrowIfNull(feed);
        ArgumentNullException.ThrowIfNull(failures);
        try
        {
            FeedText.Resolve(feed.Encoding);
        }
        catch (ArgumentException)
        {
            failures.Add($"{at}Encoding '{feed.Encoding}' is not an encoding .NET knows; use 'auto' or a name such as 'utf-8', 'windows-1252', 'iso-8859-1', 'utf-16', 'gb18030', 'shift_jis'.");
        }

        if (feed.ThousandsSeparator is { } group)
        {
            if (!ThousandsSeparators.Contains(group))
            {
                failures.Add($"{at}ThousandsSeparator '{group}' must be ',', '.', \"'\", ' ' (a space) or '' (none).");
            }
            else if (group.Length > 0 && group == feed.DecimalSeparator)
            {
                failures.Add($"{at}ThousandsSeparator '{group}' is also the DecimalSeparator; set one of them to the other mark.");
            }
        }

        if (feed.TimeColumn is { } time && string.IsNullOrWhiteSpace(time))
        {
            failures.Add($"{at}TimeColumn is empty; name the column holding the time of day, or remove the setting.");
        }

        for (var i = 0; i < feed.NameColumns.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(feed.NameColumns[i]))
            {
                failures.Add($"{at}NameColumns:{i} is empty; name a column (e.g. 'Billing First Name').");
            }
        }

        if (feed.FutureDateMarginDays is < 0 or > 36_500)
        {
            failures.Add($"{at}FutureDateMarginDays must be 0-36500 (got {feed.FutureDateMarginDays}).");
        }

        if (feed.CancelledOrderIdPrefix is { } prefix && string.IsNullOrWhiteSpace(prefix))
        {
            failures.Add($"{at}CancelledOrderIdPrefix is blank; set the prefix (e.g. 'C') or remove the setting.");
        }
    }
}
