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
        var eml = Path.Combine(_folder, fileStem + ".eml");
        var html = Path.Combine(_folder, fileStem + ".html");
        try
        {
            Directory.CreateDirectory(_folder);
            // Write to a temporary name and move, so a reader never sees half a file.
            await WriteAtomicallyAsync(eml, s => message.WriteToAsync(s, cancellationToken), cancellationToken).ConfigureAwait(false);
            await WriteAtomicallyAsync(html, async s =>
            {
                await using var writer = new StreamWriter(s, leaveOpen: true);
                await writer.WriteAsync(archiveHtml.AsMemory(), cancellationToken).ConfigureAwait(false);
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A full disk or a folder we may not write: the delivery is recorded as failed with this
            // message and retried by a later run, so say where and what to do.
            throw new IOException(
                $"Could not write the report to the outbox {_folder}: {e.Message}. Free space there or fix its permissions " +
                "(or point Crm:Reports:Outbox elsewhere); the delivery is retried by a later run.", e);
        }

        return new DeliveredFiles(eml, html);
    }

    private static async Task WriteAtomicallyAsync(string path, Func<Stream, Task> write, CancellationToken cancellationToken)
    {
        var tmp = path + ".tmp";
        try
        {
            await using (var stream = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                await write(stream).ConfigureAwait(false);
                await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            }

            File.Move(tmp, path, overwrite: true);
        }
        catch
        {
            // Do not leave half a file behind: it would hold on to the space that just ran out.
            TryDelete(tmp);
            throw;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // The original error is the one to report; a leftover .tmp is overwritten by the retry.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
