namespace Crm.Pipeline.Jobs;

/// <summary>
/// A stage run in this process lost the warehouse (PostgreSQL restarted, stopped or became unreachable) and
/// kept losing it through every retry. The message is one line for the person at the terminal; the lost
/// connection's own error is the inner exception.
/// </summary>
public sealed class WarehouseLostException : Exception
{
    /// <summary>Creates the exception with its one-line message.</summary>
    public WarehouseLostException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with its one-line message.</summary>
    public WarehouseLostException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public WarehouseLostException()
    {
    }
}
