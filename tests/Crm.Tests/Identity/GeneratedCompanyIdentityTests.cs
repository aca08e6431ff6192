using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Nodes;
using Crm.Pipeline.Identity;

namespace Crm.Tests.Identity;

/// <summary>
/// Issue 24: the generated company of 20,000 people (tests/data/company, see its README), resolved
/// in memory with the demo's identity settings, keeps precision at 0.99 and reaches recall 0.97.
/// </summary>
public sealed class GeneratedCompanyIdentityTests : IDisposable
{
    private readonly string _csv = Path.Combine(Path.GetTempPath(), "crm-company-" + Guid.NewGuid().ToString("N")[..8] + ".csv");

    public void Dispose() => File.Delete(_csv);

    private static string Root()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Crm.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Crm.sln not found above " + AppContext.BaseDirectory);
    }

    [Fact]
    public void TwentyThousandPeople_KeepPrecisionAndReachRecall()
    {
        var root = Root();
        using (var gz = new GZipStream(File.OpenRead(Path.Combine(root, "tests", "data", "company", "identity-records-20000.csv.gz")), CompressionMode.Decompress))
        using (var file = File.Create(_csv))
        {
            gz.CopyTo(file);
        }

        var demo = JsonNode.Parse(File.ReadAllText(Path.Combine(root, "src", "Crm.Worker", "demo", "identity.settings.json")))!;
        var options = JsonSerializer.Deserialize<IdentityOptions>(demo["Crm"]!["Identity"]!.ToJsonString())!;

        var result = IdentityEvaluation.Evaluate(_csv, "person_id", [], options.Matching, options.Cleaning);

        Assert.Equal(24_972, result.Records);
        Assert.Equal(5_449, result.Metrics.TruePairs);
        Assert.True(result.Metrics.Precision >= 0.99, $"precision {result.Metrics.Precision:F4} (recall {result.Metrics.Recall:F4})");
        Assert.True(result.Metrics.Recall >= 0.97, $"recall {result.Metrics.Recall:F4} (precision {result.Metrics.Precision:F4})");
    }
}
