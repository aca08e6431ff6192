using System.IO.Compression;
using System.Text;
using Crm.IntegrationTests.Infrastructure;
using Crm.Pipeline;
using Crm.Pipeline.Jobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Crm.IntegrationTests.Privacy;

/// <summary>
/// A private copy of the bundled synthetic company (src/Crm.Worker/demo/synthetic, made by `crm generate`,
/// see its README): order feeds, three web sites' logs and mailboxes, loaded through the real stages.
/// </summary>
internal sealed class ForgetWorld : IAsyncDisposable
{
    private ForgetWorld(string root, ServiceProvider services)
    {
        Root = root;
        Services = services;
    }

    public string Root { get; }

    public ServiceProvider Services { get; }

    public static string Synthetic => Path.Combine(TestData.RepositoryRoot, "src", "Crm.Worker", "demo", "synthetic");

    /// <summary>
    /// Copies the company: all order files and mailboxes, and the web log files that mention one of
    /// <paramref name="webTokens"/> (the whole set of logs would make the test slow, not stronger).
    /// </summary>
    public static ForgetWorld Create(NpgsqlDataSource ds, IReadOnlyList<string> webTokens)
    {
        var root = Path.Combine(Path.GetTempPath(), "crm-forget-" + Guid.NewGuid().ToString("N")[..8]);
        var copy = Path.Combine(root, "synthetic");
        CopyTree(Path.Combine(Synthetic, "orders"), Path.Combine(copy, "orders"), _ => true);
        CopyTree(Path.Combine(Synthetic, "email"), Path.Combine(copy, "email"), _ => true);
        Directory.CreateDirectory(Path.Combine(copy, "campaigns"));
        CopyTree(Path.Combine(Synthetic, "weblogs"), Path.Combine(copy, "weblogs"), file =>
        {
            var text = System.Text.Encoding.UTF8.GetString(Read(file));
            return webTokens.Any(t => text.Contains(t, StringComparison.Ordinal));
        });

        var demo = Path.Combine(TestData.RepositoryRoot, "src", "Crm.Worker", "demo");
        var builder = new ConfigurationBuilder();
        foreach (var fragment in new[] { "synthetic.settings.json", "identity.settings.json" })
        {
            var json = File.ReadAllText(Path.Combine(demo, fragment)).Replace("{demo}", root, StringComparison.Ordinal);
            builder.AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json)));
        }

        builder.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Crm:Email:Drops:0"] = Path.Combine(copy, "email", "eml"),
            ["Crm:Email:Drops:1"] = Path.Combine(copy, "email", "mbox"),
            ["Crm:Email:StaffDomains:0"] = "shop.example",
        });
        var services = new ServiceCollection().AddLogging().AddSingleton(ds).AddCrmPipeline(builder.Build()).BuildServiceProvider();
        return new ForgetWorld(root, services);
    }

    public async Task RunAsync(params string[] stages)
    {
        var runner = Services.GetRequiredService<PipelineRunner>();
        await runner.RunAsync(stages, "manual", _ => NullProgressSink.Instance, CancellationToken.None);
    }

    /// <summary>
    /// Makes every source file a new unit with the same records: a blank line at the end of order files
    /// and mailboxes, a comment line in front of web logs (a new file identity, so all of it is read again).
    /// </summary>
    public void TouchEverySourceFile()
    {
        foreach (var file in Directory.EnumerateFiles(Path.Combine(Root, "synthetic"), "*", SearchOption.AllDirectories))
        {
            var weblog = file.Contains($"{Path.DirectorySeparatorChar}weblogs{Path.DirectorySeparatorChar}", StringComparison.Ordinal);
            if (Path.GetFileName(file) == "formats.json")
            {
                continue;
            }

            var bytes = Read(file);
            var eol = file.EndsWith(".eml", StringComparison.Ordinal) ? "\r\n"u8.ToArray() : "\n"u8.ToArray();
            var changed = weblog ? [.. "#reingested\n"u8.ToArray(), .. bytes] : (byte[])[.. bytes, .. eol];
            Write(file, changed);
        }
    }

    private static byte[] Read(string file)
    {
        using var stream = File.OpenRead(file);
        using Stream source = file.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(stream, CompressionMode.Decompress) : stream;
        using var memory = new MemoryStream();
        source.CopyTo(memory);
        return memory.ToArray();
    }

    private static void Write(string file, byte[] bytes)
    {
        using var stream = File.Create(file);
        using Stream target = file.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(stream, CompressionLevel.Fastest) : stream;
        target.Write(bytes);
    }

    private static void CopyTree(string from, string to, Func<string, bool> include)
    {
        // Every folder, even one left empty: the settings name them, and a configured folder must exist.
        Directory.CreateDirectory(to);
        foreach (var dir in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, dir)));
        }

        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories).Where(include))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        Directory.Delete(Root, recursive: true);
    }
}
