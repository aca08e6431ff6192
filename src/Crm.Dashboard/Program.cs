using Crm.Dashboard;

var app = DashboardApp.Build(args);
await app.RunAsync().ConfigureAwait(false);
