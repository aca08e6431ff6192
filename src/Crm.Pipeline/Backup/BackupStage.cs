using System.Globalization;
using Crm.Pipeline.Jobs;
using Crm.Pipeline.Reports;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Crm.Pipeline.Backup;

/// <summary>
/// The <c>backup</c> stage: a snapshot of the warehouse and the outbox into <c>Crm:Backup:Folder</c>, then the folder pruned
/// to the last <c>KeepDaily</c> daily and <c>KeepWeekly</c> weekly snapshots (<see cref="SnapshotRetention"/>). It runs on a
/// schedule of its own (<c>Job: backup</c>), not in the nightly chain, so a failed night still gets its backup. A failure,
/// and a folder short of space (under <c>MinFreeMegabytes</c> free), raise an alert in <c>ops.alert</c> (source
/// <c>backup</c>) for the dashboard and the reports. Old snapshots are pruned only after a new one is complete.
/// </summary>
public sealed partial class BackupStage : IPipelineStage
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly IOptionsMonitor<BackupOptions> _options;
    private readonly IOptionsMonitor<ReportsOptions> _reports;
    private readonly IConfiguration? _configuration;
    private readonly WarehouseConnection? _connection;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <summary>Creates the stage; <paramref name="connection"/> (registered by the host) gives pg_dump the password.</summary>
    public BackupStage(
        NpgsqlDataSource dataSource, IOptionsMonitor<BackupOptions> options, IOptionsMonitor<ReportsOptions> reports, TimeProvider time,
        ILogger<BackupStage> logger, IConfiguration? configuration = null, WarehouseConnection? connection = null)
    {
        _dataSource = dataSource;
        _options = options;
        _reports = reports;
        _time = time;
        _logger = logger;
        _configuration = configuration;
        _connection = connection;
    }

    /// <inheritdoc />
    public string Name => "backup";

    /// <summary>The folder snapshots go to, as configured.</summary>
    public string Folder => _options.CurrentValue.ResolveFolder(_configuration?["Crm:DataDirectory"]);

    /// <inheritdoc />
    public async Task<StageResult> RunAsync(StageContext context, CancellationToken cancellationToken)
    {
        var o = _options.CurrentValue;
        var folder = Folder;
        var connectionString = _connection?.ConnectionString
            ?? (_configuration?.GetConnectionString("Warehouse") is { Length: > 0 } configured ? configured : null)
            ?? throw new InvalidOperationException("The backup stage needs the warehouse's connection string (WarehouseConnection is not registered by this host).");
        (string Folder, SnapshotManifest Manifest) taken;
        try
        {
            Directory.CreateDirectory(folder);
            if (FreeMegabytes(folder) is { } before && before < o.MinFreeMegabytes)
            {
                await ShortOfSpaceAsync(folder, before, o.MinFreeMegabytes, cancellationToken).ConfigureAwait(false);
            }

            taken = await SnapshotWriter.TakeAsync(connectionString, folder, Path.GetFullPath(_reports.CurrentValue.Outbox), _time, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.Failed(_logger, folder, e.Message);
            await Alerts.RaiseAsync(_dataSource, Name, "error", $"Backup into {folder} failed: {e.Message}", CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        var removed = SnapshotRetention.Prune(folder, o.KeepDaily, o.KeepWeekly);
        var kept = SnapshotRetention.List(folder).Count;
        if (FreeMegabytes(folder) is { } after && after < o.MinFreeMegabytes)
        {
            await ShortOfSpaceAsync(folder, after, o.MinFreeMegabytes, cancellationToken).ConfigureAwait(false);
        }

        var (path, manifest) = taken;
        Log.Taken(_logger, path, manifest.TotalBytes, manifest.TotalRows, kept, removed.Count);
        return new StageResult(manifest.TotalRows, manifest.Files.Count, string.Create(CultureInfo.InvariantCulture,
            $"snapshot {path} ({manifest.TotalBytes / 1024.0 / 1024.0:0.0} MB, {manifest.TotalRows:N0} rows in {manifest.Tables.Count} tables); {kept} kept, {removed.Count} removed"));
    }

    private async Task ShortOfSpaceAsync(string folder, long freeMegabytes, int minimum, CancellationToken cancellationToken)
    {
        Log.ShortOfSpace(_logger, folder, freeMegabytes, minimum);
        await Alerts.RaiseAsync(_dataSource, Name, "warning",
            $"The backup folder {folder} is short of space: under {minimum} MB free (Crm:Backup:MinFreeMegabytes); free space there, keep fewer snapshots or move Crm:Backup:Folder.",
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Free megabytes on the file system holding <paramref name="folder"/>, or null when it cannot be told.</summary>
    public static long? FreeMegabytes(string folder)
    {
        try
        {
            return new DriveInfo(folder).AvailableFreeSpace / (1024 * 1024);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 6201, Level = LogLevel.Information, Message = "Backup: snapshot {Snapshot} ({Bytes} bytes, {Rows} rows); {Kept} kept, {Removed} removed")]
        public static partial void Taken(ILogger logger, string snapshot, long bytes, long rows, int kept, int removed);

        [LoggerMessage(EventId = 6202, Level = LogLevel.Error, Message = "Backup into {Folder} failed: {Reason}")]
        public static partial void Failed(ILogger logger, string folder, string reason);

        [LoggerMessage(EventId = 6203, Level = LogLevel.Warning, Message = "Backup folder {Folder} has {FreeMegabytes} MB free, under the {MinimumMegabytes} MB of Crm:Backup:MinFreeMegabytes")]
        public static partial void ShortOfSpace(ILogger logger, string folder, long freeMegabytes, int minimumMegabytes);
    }
}
