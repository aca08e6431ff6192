using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Crm.Bench;

/// <summary>
/// The figures of one benchmark run, written as JSON when <c>--json FILE</c> is given (any benchmark):
/// the benchmark's name and arguments, start and end times, each named figure it recorded (numbers
/// with their unit, baselines and ratios beside them), and every line it printed, so two runs can be
/// compared by a script.
/// </summary>
internal static class BenchReport
{
    private static readonly List<KeyValuePair<string, object>> Figures = [];
    private static readonly StringWriter Printed = new(CultureInfo.InvariantCulture);

    /// <summary>Records a figure (e.g. <c>orders.ingest_seconds</c>); a later value of the same name replaces it.</summary>
    public static void Add(string name, object value)
    {
        lock (Figures)
        {
            Figures.RemoveAll(f => f.Key == name);
            Figures.Add(new(name, value is double d ? Math.Round(d, 4) : value));
        }
    }

    /// <summary>
    /// Takes <c>--json FILE</c> out of <paramref name="args"/> and, when it was there, copies what the
    /// benchmark prints into the report as well as to the console.
    /// </summary>
    public static string[] Attach(string[] args, out string? path)
    {
        path = null;
        var i = Array.IndexOf(args, "--json");
        if (i < 0)
        {
            return args;
        }

        if (i + 1 >= args.Length)
        {
            throw new ArgumentException("--json needs a file name, e.g. --json bench-orders.json");
        }

        path = Path.GetFullPath(args[i + 1]);
        Console.SetOut(new Tee(Console.Out, Printed));
        return [.. args[..i], .. args[(i + 2)..]];
    }

    /// <summary>Writes the report to <paramref name="path"/>.</summary>
    public static void Write(string path, string[] args, DateTimeOffset started, int exitCode)
    {
        using var stream = File.Create(path);
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteString("benchmark", args.Length > 0 ? args[0] : "help");
        json.WriteStartArray("args");
        foreach (var a in args)
        {
            json.WriteStringValue(a);
        }

        json.WriteEndArray();
        json.WriteString("started_utc", started.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
        json.WriteString("finished_utc", DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture));
        json.WriteNumber("exit_code", exitCode);
        json.WriteNumber("processors", Environment.ProcessorCount);
        json.WritePropertyName("figures");
        lock (Figures)
        {
            JsonSerializer.Serialize(json, Figures.ToDictionary(f => f.Key, f => f.Value));
        }

        json.WriteStartArray("printed");
        foreach (var line in Printed.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            json.WriteStringValue(line.TrimEnd('\r'));
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private sealed class Tee(TextWriter console, TextWriter copy) : TextWriter
    {
        public override Encoding Encoding => console.Encoding;

        public override void Write(char value)
        {
            lock (copy)
            {
                console.Write(value);
                copy.Write(value);
            }
        }

        public override void Write(string? value)
        {
            lock (copy)
            {
                console.Write(value);
                copy.Write(value);
            }
        }

        public override void WriteLine(string? value)
        {
            lock (copy)
            {
                console.WriteLine(value);
                copy.WriteLine(value);
            }
        }

        public override void Flush() => console.Flush();
    }
}
