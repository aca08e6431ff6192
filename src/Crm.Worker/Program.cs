using Crm.Worker.Commands;

return await CrmCommandLine.Build().Parse(args).InvokeAsync().ConfigureAwait(false);
