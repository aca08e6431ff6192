using System.IO.Compression;
using System.Text;
using Crm.Synthetic;

namespace Crm.Tests.Synthetic;

/// <summary>Generates a company into a temporary folder and reads its files back for assertions.</summary>
public sealed class GeneratedCompany : IDisposable
{
    internal GeneratedCompany(GeneratorOptions options)
    {
        Root = Path.Combine(Path.GetTempPath(), "crm-gen-" + Guid.NewGuid().ToString("N")[..8]);
        options.Out = Root;
        options.Progress = false;
        Summary = new SyntheticCompanyGenerator(options).Run();
    }

    public string Root { get; }

    internal GeneratorSummary Summary { get; }

    public IEnumerable<string> Files(string folder, string pattern = "*") =>
        Directory.Exists(Path.Combine(Root, folder))
            ? Directory.GetFiles(Path.Combine(Root, folder), pattern, SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            : [];

    public string Relative(string path) => Path.GetRelativePath(Root, path).Replace('\\', '/');

    /// <summary>The file's lines as raw bytes (decompressed), so bad encodings stay visible.</summary>
    public static List<byte[]> RawLines(string path)
    {
        using var file = File.OpenRead(path);
        using Stream stream = path.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(file, CompressionMode.Decompress) : file;
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        var bytes = memory.ToArray();
        var lines = new List<byte[]>();
        var start = 0;
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] == (byte)'\n')
            {
                lines.Add(bytes[start..i]);
                start = i + 1;
            }
        }

        if (start < bytes.Length)
        {
            lines.Add(bytes[start..]);
        }

        return lines;
    }

    public static List<string> Lines(string path) => RawLines(path).Select(l => Encoding.UTF8.GetString(l)).ToList();

    /// <summary>Rows of a truth CSV (RFC 4180 quotes), header skipped.</summary>
    public List<string[]> Truth(string name) => File.ReadAllLines(Path.Combine(Root, "truth", name)).Skip(1).Select(SplitCsv).ToList();

    public static string[] SplitCsv(string line)
    {
        var fields = new List<string>();
        var sb = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    sb.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    sb.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(sb.ToString());
                sb.Clear();
            }
            else
            {
                sb.Append(c);
            }
        }

        fields.Add(sb.ToString());
        return fields.ToArray();
    }

    public void Dispose()
    {
        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }
}
