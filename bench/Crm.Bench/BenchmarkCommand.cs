using System.Globalization;

namespace Crm.Bench;

/// <summary>Entry point of the benchmark harness: <c>dotnet run -c Release --project bench/Crm.Bench -- NAME…</c>.</summary>
internal static class BenchmarkCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var name = args.Length > 0 ? args[0] : "help";
        int Arg(int index, int fallback) => args.Length > index ? int.Parse(args[index], CultureInfo.InvariantCulture) : fallback;
        switch (name)
        {
            case "email":
                await EmailBenchmark.RunAsync(Arg(1, 100_000), Arg(2, 10_000));
                return 0;
            default:
                Console.WriteLine("benchmarks: email [mbox messages=100000] [imap messages=10000]");
                return name == "help" ? 0 : 2;
        }
    }
}
