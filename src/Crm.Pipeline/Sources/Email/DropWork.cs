namespace Crm.Pipeline.Sources.Email;

/// <summary>A file of a mail drop: its fingerprint, and once parsed, its message or its rejection.</summary>
internal sealed record DropFile(int Index, string Path, string Sha, long Size, bool IsMbox)
{
    /// <summary>Why the file cannot be read, when it cannot.</summary>
    public string? Error { get; set; }

    /// <summary>The ledger row that already holds these bytes (seen before parsing).</summary>
    public long? Earlier { get; set; }

    /// <summary>The single message, extracted.</summary>
    public ParsedEmail? Email { get; set; }

    /// <summary>Why the single message cannot load, with its first bytes.</summary>
    public QuarantineRow? Rejected { get; set; }

    /// <summary>A small mbox parsed ahead into memory (null: the writer streams it).</summary>
    public BufferedEmailSink? Buffered { get; set; }

    /// <summary>Messages read from the pre-parsed mbox.</summary>
    public long Messages { get; set; }

    /// <summary>Where the pre-parsed mbox stopped being mbox, if it did.</summary>
    public string? StoppedAt { get; set; }
}

/// <summary>What the drop reader hands to the warehouse writer, in file order.</summary>
internal abstract record DropWork
{
    private DropWork()
    {
    }

    /// <summary>Single-message files, parsed, to write in one transaction.</summary>
    public sealed record Batch(List<DropFile> Files) : DropWork;

    /// <summary>An mbox, streamed by the writer in a transaction of its own.</summary>
    public sealed record Mbox(DropFile File) : DropWork;

    /// <summary>A file that could not be read.</summary>
    public sealed record Failed(int Index, UnitResult Result) : DropWork;
}
