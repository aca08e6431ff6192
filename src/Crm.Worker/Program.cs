using Crm.Worker.Commands;

return await CrmCli.RunAsync(args).ConfigureAwait(false);
