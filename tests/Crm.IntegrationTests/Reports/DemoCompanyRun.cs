using Crm.IntegrationTests.Infrastructure;
using MimeKit;
using Npgsql;

namespace Crm.IntegrationTests.Reports;

/// <summary>
/// One run of the real <c>crm demo</c> (the command line, as a newcomer runs it) on a warehouse of the test
/// cluster, shared by the tests of its reports: the May 2026 monthly report (English, New York) and the
/// week of 25 May weekly report (Chinese, Berlin) of the generated demo company, with the warehouse they came
/// from left in place so the tests can compute the figures themselves.
/// </summary>
public sealed class DemoCompanyRun
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static DemoCompanyRun? _run;

    private DemoCompanyRun(string connectionString, string outbox)
    {
        ConnectionString = connectionString;
        Outbox = outbox;
    }

    /// <summary>The warehouse the demo filled.</summary>
    public string ConnectionString { get; }

    /// <summary>The demo's outbox.</summary>
    public string Outbox { get; }

    /// <summary>The monthly report (English).</summary>
    public string MonthlyHtml => Path.Combine(Outbox, "20260501-manager-summary-monthly-maria_shop.example.html");

    /// <summary>The weekly report (Chinese).</summary>
    public string WeeklyHtml => Path.Combine(Outbox, "20260525-manager-summary-weekly-li.wei_shop.example.html");

    /// <summary>The monthly report as sent (images by cid:).</summary>
    public MimeMessage MonthlyMessage => MimeMessage.Load(Path.ChangeExtension(MonthlyHtml, ".eml"));

    /// <summary>The weekly report as sent.</summary>
    public MimeMessage WeeklyMessage => MimeMessage.Load(Path.ChangeExtension(WeeklyHtml, ".eml"));

    /// <summary>Runs the demo once per test run (the first caller waits for it).</summary>
    public static async Task<DemoCompanyRun> GetAsync(PostgresCluster cluster)
    {
        await Gate.WaitAsync();
        try
        {
            if (_run is not null)
            {
                return _run;
            }

            var connectionString = await cluster.CreateDatabaseAsync("demoreports");
            var folder = Directory.CreateTempSubdirectory("crm-demo-reports-").FullName;
            var (code, output) = await CrmProcess.RunAsync(connectionString, folder, TimeSpan.FromMinutes(8), "demo");
            Assert.True(code == 0, $"crm demo exited {code}:\n{output}");
            // Keep the reports with the test results; the generated company itself is not needed after the run.
            var outbox = Path.Combine(ReportBrowser.ArtifactFolder, "demo-outbox");
            if (Directory.Exists(outbox))
            {
                Directory.Delete(outbox, recursive: true);
            }

            Directory.CreateDirectory(outbox);
            foreach (var file in Directory.GetFiles(Path.Combine(folder, ".crm", "outbox")))
            {
                File.Copy(file, Path.Combine(outbox, Path.GetFileName(file)));
            }

            Directory.Delete(folder, recursive: true);
            _run = new DemoCompanyRun(connectionString, outbox);
            return _run;
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>A data source on the demo's warehouse.</summary>
    public NpgsqlDataSource DataSource() => NpgsqlDataSource.Create(ConnectionString);
}
