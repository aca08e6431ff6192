using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Crm.Worker.Commands;

/// <summary>
/// The demo's settings: every <c>demo/company/*.settings.json</c> fragment bundled with the binary, with
/// <c>{company}</c> replaced by the folder of the generated demo company and <c>{demo}</c> by the demo
/// folder, merged so that arrays (feeds, sources, accounts) from different fragments add up instead of
/// overwriting each other by index.
/// </summary>
internal static class DemoSettings
{
    /// <summary>The bundled demo folder next to the binary.</summary>
    public static string Folder => Path.Combine(AppContext.BaseDirectory, "demo");

    /// <summary>The folder of the demo company's settings fragments.</summary>
    public static string CompanySettings => Path.Combine(Folder, "company");

    /// <summary>The merged fragments as one JSON document.</summary>
    public static MemoryStream Build(string companyFolder)
    {
        var merged = new JsonObject();
        var folderJson = JsonSerializer.Serialize(Folder)[1..^1]; // escaped for a JSON string body
        var companyJson = JsonSerializer.Serialize(companyFolder)[1..^1];
        foreach (var file in Directory.GetFiles(CompanySettings, "*.settings.json").Order(StringComparer.Ordinal))
        {
            var text = File.ReadAllText(file).Replace("{company}", companyJson, StringComparison.Ordinal).Replace("{demo}", folderJson, StringComparison.Ordinal);
            if (JsonNode.Parse(text) is JsonObject fragment)
            {
                Merge(merged, fragment);
            }
        }

        return new MemoryStream(Encoding.UTF8.GetBytes(merged.ToJsonString()));
    }

    private static void Merge(JsonObject target, JsonObject source)
    {
        foreach (var (key, value) in source.ToList())
        {
            if (value is null)
            {
                continue;
            }

            var existing = target[key];
            if (existing is JsonObject to && value is JsonObject so)
            {
                Merge(to, so);
            }
            else if (existing is JsonArray ta && value is JsonArray sa)
            {
                foreach (var item in sa.ToList())
                {
                    ta.Add(item?.DeepClone());
                }
            }
            else
            {
                target[key] = value.DeepClone();
            }
        }
    }
}
