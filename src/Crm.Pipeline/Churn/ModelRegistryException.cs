namespace Crm.Pipeline.Churn;

/// <summary>
/// The registry refused a promotion or a rollback the way a user asked for it: no model of that version, or no earlier
/// champion. The message says what to do; callers show it, unlike any other failure, which is a fault to report.
/// </summary>
public sealed class ModelRegistryException : InvalidOperationException
{
    /// <summary>A refusal with the sentence to show.</summary>
    public ModelRegistryException(string message)
        : base(message)
    {
    }

    /// <summary>For serializers and analyzers; the registry always gives a message.</summary>
    public ModelRegistryException()
    {
    }

    /// <summary>For serializers and analyzers; the registry always gives a message.</summary>
    public ModelRegistryException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
