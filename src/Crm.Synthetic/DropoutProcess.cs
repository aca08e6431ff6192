namespace Crm.Synthetic;

/// <summary>How the generator's people leave (<see cref="GeneratorOptions.Dropout"/>).</summary>
public enum DropoutProcess
{
    /// <summary>
    /// BG/NBD's own story: purchases as a Poisson process, and after each repeat purchase a dropout with the
    /// person's probability p. BG/NBD is then the right model, so it sits near the ceiling of what any model can do.
    /// </summary>
    BgNbd,

    /// <summary>
    /// Purchases on a rhythm (gamma-distributed gaps, most people fairly regular), a dropout hazard in time from the
    /// first order on that bad experiences raise and tenure lowers, and a waning phase before the last order: visits,
    /// campaign clicks, order rate and basket fall, returns and complaints rise.
    /// </summary>
    Engagement,
}
