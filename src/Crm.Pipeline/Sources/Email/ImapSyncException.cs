namespace Crm.Pipeline.Sources.Email;

/// <summary>An IMAP sync that cannot go on: bad credentials, TLS refused, or a server that stayed unreachable.</summary>
public sealed class ImapSyncException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ImapSyncException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public ImapSyncException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public ImapSyncException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with a message, its cause and the batches committed before it.</summary>
    public ImapSyncException(string message, Exception innerException, IReadOnlyList<UnitResult> committed)
        : base(message, innerException)
    {
        Committed = [.. committed];
    }

    /// <summary>The batches the account committed before the failure; they stay loaded and count in the summary.</summary>
    public IReadOnlyList<UnitResult> Committed { get; } = [];
}
