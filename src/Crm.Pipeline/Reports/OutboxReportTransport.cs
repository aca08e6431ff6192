using MimeKit;

namespace Crm.Pipeline.Reports;

/// <summary>
/// No SMTP configured: writes each report as <c>.eml</c> (the exact message) and <c>.html</c> (charts
/// inlined, opens in any browser) into the outbox folder. Writing the same report again overwrites it.
/// </summary>
internal sealed class OutboxReportTransport : IReportTransport
{
    private readonly string _folder;

    public OutboxReportTransport(string folder) => _folder = Path.GetFullPath(folder);

    public string Name => "outbox";

    public async Task<DeliveredFiles> SendAsync(MimeMessage message, string archiveHtml, string fileStem, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(_folder);
        var eml = Path.Combine(_folder, fileStem + ".eml");
        var html = Path.Combine(_folder, fileStem + ".html");
        // Write to a temporary name and move, so a reader never sees half a file.
        var tmp = eml + ".tmp";
        await using (var stream = File.Create(tmp))
        {
            await message.WriteToAsync(stream, cancellationToken).ConfigureAwait(false);
        }

        File.Move(tmp, eml, overwrite: true);
        await File.WriteAllTextAsync(html + ".tmp", archiveHtml, cancellationToken).ConfigureAwait(false);
        File.Move(html + ".tmp", html, overwrite: true);
        return new DeliveredFiles(eml, html);
    }
}
