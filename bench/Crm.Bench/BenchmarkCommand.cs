namespace Crm.Bench;

/// <summary>Entry point of the benchmark harness: <c>dotnet run -c Release --project bench/Crm.Bench -- NAME…</c>.</summary>
internal static class BenchmarkCommand
{
    public static Task<int> RunAsync(string[] args)
    {
        if (args.Length == 0)
        {
            Console.WriteLine("benchmarks: generator");
            return Task.FromResult(0);
        }

        return args[0] switch
        {
            "generator" => Task.FromResult(GeneratorBenchmark.Run(args[1..])),
            _ => Task.FromResult(Unknown(args[0])),
        };
    }

    private static int Unknown(string name)
    {
        Console.Error.WriteLine($"unknown benchmark '{name}'; known: generator");
        return 2;
    }
}
