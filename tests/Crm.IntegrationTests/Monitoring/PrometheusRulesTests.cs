using System.Diagnostics;
using System.Text.Json;
using Crm.IntegrationTests.Infrastructure;

namespace Crm.IntegrationTests.Monitoring;

/// <summary>
/// Issue 19: <c>deploy/prometheus/crm-rules.yml</c> is valid for Prometheus and its unit tests
/// (<c>crm-rules.test.yml</c>) pass, both run by Debian's <c>promtool</c> (package <c>prometheus</c>, which
/// <c>.ci/test.sh</c> installs); every query of the Grafana dashboard (<c>deploy/grafana/crm.json</c>) is PromQL that
/// promtool accepts.
/// </summary>
public sealed class PrometheusRulesTests
{
    private static readonly string Folder = Path.Combine(TestData.RepositoryRoot, "deploy", "prometheus");

    [Fact]
    public async Task CheckRules_FindsEveryRuleValid()
    {
        var (code, output) = await PromtoolAsync("check", "rules", "crm-rules.yml");

        Assert.True(code == 0, output);
        Assert.Contains("SUCCESS: 12 rules found", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TestRules_PassesTheRuleUnitTests()
    {
        var (code, output) = await PromtoolAsync("test", "rules", "crm-rules.test.yml");

        Assert.True(code == 0, output);
        Assert.Contains("SUCCESS", output, StringComparison.Ordinal);
        Assert.DoesNotContain("FAILED", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GrafanaDashboard_EveryQueryIsPromQlPromtoolAccepts()
    {
        using var dashboard = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(TestData.RepositoryRoot, "deploy", "grafana", "crm.json")));
        var queries = dashboard.RootElement.GetProperty("panels").EnumerateArray()
            .SelectMany(p => p.GetProperty("targets").EnumerateArray().Select(t => t.GetProperty("expr").GetString()!))
            .ToList();
        // Each query becomes a recording rule, so promtool parses it as Prometheus would.
        var rules = Path.Combine(Path.GetTempPath(), $"crm-grafana-{Guid.NewGuid():N}.yml");
        await File.WriteAllTextAsync(rules, "groups:\n  - name: grafana\n    rules:\n"
            + string.Concat(queries.Select((q, i) => $"      - record: grafana:query_{i}\n        expr: {JsonSerializer.Serialize(q)}\n")));
        try
        {
            var (code, output) = await PromtoolAsync("check", "rules", rules);

            Assert.Equal(12, queries.Count);
            Assert.True(code == 0, output);
            Assert.Contains($"SUCCESS: {queries.Count} rules found", output, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(rules);
        }
    }

    private static async Task<(int Code, string Output)> PromtoolAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("promtool") { WorkingDirectory = Folder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("promtool did not start: install Debian's prometheus package (./crm test does).");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }
}
