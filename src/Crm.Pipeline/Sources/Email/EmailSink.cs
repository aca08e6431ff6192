namespace Crm.Pipeline.Sources.Email;

/// <summary>Where parsed messages of one unit go: straight into a <see cref="EmailUnitWriter"/>, or into memory first.</summary>
internal interface IEmailSink
{
    /// <summary>Stages one parsed message.</summary>
    Task AddAsync(ParsedEmail email, string sourceKind, CancellationToken cancellationToken);

    /// <summary>Records a rejected message.</summary>
    void Quarantine(QuarantineRow row);
}

/// <summary>
/// Holds a small unit's parsed messages in memory, so parsing it can run ahead of the database
/// work on the unit before it; replayed into the unit's writer in the same order.
/// </summary>
internal sealed class BufferedEmailSink : IEmailSink
{
    private readonly List<(ParsedEmail? Email, string? Kind, QuarantineRow? Row)> _items = [];

    /// <inheritdoc />
    public Task AddAsync(ParsedEmail email, string sourceKind, CancellationToken cancellationToken)
    {
        _items.Add((email, sourceKind, null));
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public void Quarantine(QuarantineRow row) => _items.Add((null, null, row));

    /// <summary>Writes everything held, in order, into <paramref name="writer"/>.</summary>
    public async Task ReplayAsync(IEmailSink writer, CancellationToken cancellationToken)
    {
        foreach (var (email, kind, row) in _items)
        {
            if (email is not null)
            {
                await writer.AddAsync(email, kind!, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                writer.Quarantine(row!);
            }
        }
    }
}
