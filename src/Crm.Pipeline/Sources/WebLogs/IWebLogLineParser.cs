namespace Crm.Pipeline.Sources.WebLogs;

/// <summary>Parses one access-log line of a given format into a reusable <see cref="WebHit"/>.</summary>
internal interface IWebLogLineParser
{
    /// <summary>The format's name, as shown in the ledger detail.</summary>
    string FormatName { get; }

    /// <summary>
    /// Parses <paramref name="line"/> (no terminator). Returns <see cref="LineKind.Hit"/> with
    /// <paramref name="hit"/> filled, <see cref="LineKind.Directive"/> for a header or comment the
    /// format defines (W3C <c>#Fields:</c>), or <see cref="LineKind.Malformed"/> with the reason.
    /// </summary>
    LineKind Parse(ReadOnlySpan<byte> line, WebHit hit, out string? reason);

    /// <summary>
    /// State a later segment of the same file needs (W3C's current <c>#Fields:</c> line), saved
    /// with the file's offset so an incremental read resumes mid-file correctly. Null for stateless formats.
    /// </summary>
    string? State { get; set; }
}

/// <summary>What a line turned out to be.</summary>
internal enum LineKind
{
    Hit,
    Directive,
    Malformed,
}
