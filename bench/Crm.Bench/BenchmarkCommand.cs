using System.Globalization;

namespace Crm.Bench;

/// <summary>
/// Entry point of the benchmark harness: <c>./crm bench NAME [SIZE]</c> (or
/// <c>dotnet run -c Release --project bench/Crm.Bench -- NAME [SIZE]</c>). Every figure is printed
/// beside a baseline measured in the same run. <c>--json FILE</c> (any benchmark) also writes the
/// figures as JSON (<see cref="BenchReport"/>).
/// </summary>
internal static class BenchmarkCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var started = DateTimeOffset.UtcNow;
        args = BenchReport.Attach(args, out var json);
        var code = await RunNamedAsync(args).ConfigureAwait(false);
        if (json is not null)
        {
            BenchReport.Write(json, args, started, code);
            Console.Error.WriteLine($"figures written to {json}");
        }

        return code;
    }

    private static async Task<int> RunNamedAsync(string[] args)
    {
        var name = args.Length > 0 ? args[0] : "help";
        int Arg(int index, int fallback) => args.Length > index ? int.Parse(args[index], CultureInfo.InvariantCulture) : fallback;
        switch (name)
        {
            case "orders":
                await OrderIngestBenchmark.RunAsync(Arg(1, 2_000_000), args.Contains("--explain"));
                return 0;
            case "weblogs":
                return await WebLogBenchmark.RunAsync(args[1..]);
            case "generator":
                return GeneratorBenchmark.Run(args[1..]);
            case "identity":
                return await IdentityBenchmark.RunAsync(args[1..]);
            case "churn":
                return await ChurnBenchmark.RunAsync(args[1..]);
            case "email":
                await EmailBenchmark.RunAsync(Arg(1, 100_000), Arg(2, 10_000));
                return 0;
            case "reports":
                return await ReportsBenchmark.RunAsync(Arg(1, 50_000));
            case "nightly":
                return await NightlyBenchmark.RunAsync(args[1..]);
            default:
                Console.WriteLine("benchmarks: orders [rows=2000000] [--explain] | weblogs [--lines 5000000] [--small 1000000] | email [mbox messages=100000] [imap messages=10000] | generator [10000,100000[,1000000]] [--days 365] | identity [records=1000000] | identity company [people=10000] [--explain K] | identity eval FILE… | churn [customers=100000 …] | churn truth [customers=10000 …] [--dropout engagement|bgnbd] | reports [customers=50000] | nightly [10000,100000[,1000000]] [--days 365]; any of them: --json FILE");
                return name == "help" ? 0 : 2;
        }
    }
}
