namespace Crm.Pipeline.Backup;

/// <summary>
/// A snapshot cannot be taken or restored for a reason the user can act on (a damaged file, a non-empty target, a missing
/// <c>pg_dump</c>); the message is one line naming the file or setting and what to do.
/// </summary>
public sealed class SnapshotException : Exception
{
    /// <summary>Creates the error.</summary>
    public SnapshotException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the error with its cause.</summary>
    public SnapshotException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the error.</summary>
    public SnapshotException()
        : base("the snapshot cannot be used")
    {
    }

    /// <summary>Whether the target warehouse already holds data (restore without <c>--force</c>).</summary>
    public bool TargetNotEmpty { get; init; }
}
