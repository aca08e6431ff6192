namespace Crm.Bench;

/// <summary>Entry point of the benchmark harness: <c>dotnet run -c Release --project bench/Crm.Bench -- NAME…</c>.</summary>
internal static class BenchmarkCommand
{
    public static Task<int> RunAsync(string[] args)
    {
        Console.WriteLine("benchmarks: " + string.Join(", ", args));
        return Task.FromResult(0);
    }
}
