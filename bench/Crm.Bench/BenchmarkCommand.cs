namespace Crm.Bench;

/// <summary>Entry point of the benchmark harness: <c>dotnet run -c Release --project bench/Crm.Bench -- NAME…</c>.</summary>
internal static class BenchmarkCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        Console.WriteLine("benchmarks: " + string.Join(", ", args));
        if (args.Length > 0 && args[0] == "churn")
        {
            return await ChurnBenchmark.RunAsync(args[1..]).ConfigureAwait(false);
        }

        return 0;
    }
}
