namespace Crm.Pipeline.Jobs;

/// <summary>A sink that discards progress, for callers that show none.</summary>
public sealed class NullProgressSink : IProgressSink
{
    /// <summary>The shared instance.</summary>
    public static readonly NullProgressSink Instance = new();

    /// <inheritdoc />
    public void Report(double? fraction, string message)
    {
    }
}
