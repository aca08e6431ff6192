namespace Crm.Pipeline.Features;

/// <summary>
/// A stage after <c>features</c> found no features for a cutoff it reads (the features stage has not run for that
/// day, or its settings lay the cutoffs out differently). The message names the cutoff, the settings and what to run.
/// </summary>
public sealed class FeaturesMissingException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public FeaturesMissingException()
    {
    }

    /// <summary>Creates the exception with its one-line message.</summary>
    public FeaturesMissingException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its message and cause.</summary>
    public FeaturesMissingException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
