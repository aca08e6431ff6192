using System.CommandLine;
using System.Globalization;
using Crm.Pipeline.Cleaning;
using Crm.Pipeline.Identity;
using Crm.Worker.Hosting;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace Crm.Worker.Commands;

/// <summary>
/// <c>crm identity eval FILE</c>: scores the matcher on a labelled CSV (Febrl layout) in memory;
/// <c>crm identity link A B</c> / <c>crm identity split A B</c>: an administrator's decision on two
/// source records (written <c>SOURCE/ID</c>, e.g. <c>orders:shop/C42</c>), applied on every later run.
/// </summary>
internal static class IdentityCommand
{
    internal static Command Create()
    {
        var command = new Command("identity", "Identity resolution: evaluate the matcher, force-link or force-split source records");
        command.Add(Eval());
        command.Add(Decision("link", "Force two source records onto one customer (applied on every run)"));
        command.Add(Decision("split", "Keep two source records on different customers (applied on every run)"));
        return command;
    }

    private static Command Eval()
    {
        var file = new Argument<FileInfo>("FILE") { Description = "CSV of person records with a header row (Febrl layout: rec_id, given_name, surname, …)" };
        var truth = new Option<string>("--truth-column") { Description = "Column naming the true entity; Febrl ids rec-N-… count as entity N", DefaultValueFactory = _ => "rec_id" };
        var exclude = new Option<string[]>("--exclude-columns") { Description = "Columns to leave out of matching (e.g. soc_sec_id)", AllowMultipleArgumentsPerToken = true };
        var explain = new Option<int>("--explain-misses") { Description = "Print N missed true pairs and N false matches: both records, each field's comparison level and weight, and why", DefaultValueFactory = _ => 0 };
        var command = new Command("eval", "Resolve a labelled CSV in memory and print pairwise precision, recall, F1 and time taken") { file, truth, exclude, explain };
        command.SetAction(parse =>
        {
            var configuration = CrmConfiguration.Build(parse.GetValue(CommonOptions.Config));
            var options = new IdentityOptions();
            configuration.GetSection("Crm:Identity").Bind(options);
            var path = parse.GetValue(file)!;
            if (!path.Exists)
            {
                Console.Error.WriteLine($"identity eval: file not found: {path.FullName}");
                return 2;
            }

            var explainCount = parse.GetValue(explain);
            if (explainCount < 0)
            {
                Console.Error.WriteLine($"identity eval: --explain-misses takes a count of 0 or more; got {explainCount}.");
                return 2;
            }

            var excluded = (parse.GetValue(exclude) ?? []).SelectMany(c => c.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
            EvaluationResult result;
            try
            {
                result = IdentityEvaluation.Evaluate(path.FullName, parse.GetValue(truth)!, excluded, options.Matching, options.Cleaning);
            }
            catch (InvalidDataException e)
            {
                Console.Error.WriteLine("identity eval: " + e.Message);
                return 2;
            }

            var m = result.Metrics;
            var c = CultureInfo.InvariantCulture;
            Console.WriteLine(string.Create(c, $"file       {path.Name}: {result.Records} records, columns {string.Join(", ", result.ColumnsUsed)}"));
            Console.WriteLine(string.Create(c, $"pairs      true {m.TruePairs}, predicted {m.PredictedPairs}, correct {m.CorrectPairs}; {result.Clusters} clusters"));
            Console.WriteLine(string.Create(c, $"model      λ {result.Resolution.Model.Lambda:F4}, EM {result.Resolution.Model.Iterations} iterations, {result.Resolution.CandidatePairs} candidate pairs, {result.Resolution.GuardBlocks} guard blocks"));
            Console.WriteLine(string.Create(c, $"precision  {m.Precision:F4}"));
            Console.WriteLine(string.Create(c, $"recall     {m.Recall:F4}"));
            Console.WriteLine(string.Create(c, $"F1         {m.F1:F4}"));
            Console.WriteLine(string.Create(c, $"time       {result.Elapsed.TotalSeconds:F2} s"));
            var report = IdentityEvaluation.Explain(result, options.Matching, explainCount);
            Console.WriteLine(string.Create(c, $"blocking   {report.TruePairsNotProposed} of {m.TruePairs} true pairs not proposed by any blocking key"));
            Console.WriteLine(string.Create(c, $"errors     {report.MissedPairs} true pairs missed, {report.FalsePairs} false pairs"));
            MissPrinter.Print(Console.Out, "missed true pair", report.Missed, report.MissedPairs);
            MissPrinter.Print(Console.Out, "false match", report.FalseMatches, report.FalsePairs);
            return 0;
        });
        return command;
    }

    private static Command Decision(string decision, string description)
    {
        var left = new Argument<string>("A") { Description = "First source record, SOURCE/ID (e.g. orders:shop/C42)" };
        var right = new Argument<string>("B") { Description = "Second source record, SOURCE/ID (e.g. email/ann@example.com)" };
        var reason = new Option<string>("--reason") { Description = "Why (kept with the decision)" };
        var by = new Option<string>("--by") { Description = "Who decided", DefaultValueFactory = _ => Environment.UserName };
        var command = new Command(decision, description) { left, right, reason, by };
        command.SetAction(async (parse, ct) =>
        {
            if (!TrySplit(parse.GetValue(left)!, out var ls, out var li) || !TrySplit(parse.GetValue(right)!, out var rs, out var ri))
            {
                Console.Error.WriteLine($"identity {decision}: write each record as SOURCE/ID, e.g. orders:shop/C42 or email/ann@example.com");
                return 2;
            }

            await using var host = await CommandHost.StartAsync(parse.GetValue(CommonOptions.Config), ct).ConfigureAwait(false);
            await using var command = host.DataSource.CreateCommand(
                """
                insert into identity.manual_decision (decision, left_source, left_id, right_source, right_id, reason, decided_by)
                values (@d, @ls, @li, @rs, @ri, @reason, @by) returning decision_id
                """);
            command.Parameters.AddWithValue("d", decision);
            command.Parameters.AddWithValue("ls", ls);
            command.Parameters.AddWithValue("li", li);
            command.Parameters.AddWithValue("rs", rs);
            command.Parameters.AddWithValue("ri", ri);
            command.Parameters.AddWithValue("reason", (object?)parse.GetValue(reason) ?? DBNull.Value);
            command.Parameters.AddWithValue("by", (object?)parse.GetValue(by) ?? DBNull.Value);
            var id = await command.ExecuteScalarAsync(ct).ConfigureAwait(false);
            Console.WriteLine($"decision {id}: {decision} {ls}/{li} and {rs}/{ri}; the next identity run applies it (crm run identity)");
            return 0;
        });
        return command;
    }

    private static bool TrySplit(string value, out string source, out string id)
    {
        var slash = value.IndexOf('/', StringComparison.Ordinal);
        source = slash > 0 ? value[..slash] : string.Empty;
        id = slash > 0 ? value[(slash + 1)..] : string.Empty;
        return slash > 0 && id.Length > 0;
    }
}
