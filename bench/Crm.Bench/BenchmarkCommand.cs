using System.Globalization;

namespace Crm.Bench;

/// <summary>
/// Entry point of the benchmark harness: <c>./crm bench NAME [SIZE]</c> (or
/// <c>dotnet run -c Release --project bench/Crm.Bench -- NAME [SIZE]</c>). Every figure is printed
/// beside a baseline measured in the same run.
/// </summary>
internal static class BenchmarkCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var name = args.Length > 0 ? args[0] : "help";
        int Size(int fallback) => args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : fallback;
        switch (name)
        {
            case "orders":
                await OrderIngestBenchmark.RunAsync(Size(2_000_000));
                return 0;
            case "weblogs":
                return await WebLogBenchmark.RunAsync(args[1..]);
            case "reports":
                return await ReportsBenchmark.RunAsync(Size(50_000));
            default:
                Console.WriteLine("benchmarks: orders [rows=2000000], weblogs [--lines 5000000] [--small 1000000], reports [customers=50000]");
                return name == "help" ? 0 : 2;
        }
    }
}
