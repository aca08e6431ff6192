using Crm.Pipeline.Jobs;
using Microsoft.Extensions.Options;

namespace Crm.Pipeline.Identity;

/// <summary>
/// The <c>identity</c> stage: cleans core.source_customer and resolves it into golden customers
/// (core.customer, core.customer_identity), incrementally when only a small delta changed.
/// </summary>
public sealed class IdentityStage : IPipelineStage
{
    private readonly IdentityResolver _resolver;
    private readonly IOptionsMonitor<IdentityOptions> _options;

    /// <summary>Creates the stage.</summary>
    public IdentityStage(IdentityResolver resolver, IOptionsMonitor<IdentityOptions> options)
    {
        _resolver = resolver;
        _options = options;
    }

    /// <inheritdoc />
    public string Name => "identity";

    /// <inheritdoc />
    public async Task<StageResult> RunAsync(StageContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var result = await _resolver.RunAsync(_options.CurrentValue, context.RunId, context.Progress, cancellationToken).ConfigureAwait(false);
        return new StageResult(result.Records, result.Resolved, result.ToString());
    }
}
