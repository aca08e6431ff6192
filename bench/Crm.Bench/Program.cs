using Crm.Bench;

return await BenchmarkCommand.RunAsync(args).ConfigureAwait(false);
