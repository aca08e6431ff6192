using Crm.Pipeline.Warehouse;
using Npgsql;

namespace Crm.Dashboard.Health;

/// <summary><c>/healthz</c> (the process is alive) and <c>/readyz</c> (database, migrations, scheduler).</summary>
public static class HealthEndpoints
{
    /// <summary>Maps both endpoints; they need no login and reveal no secrets.</summary>
    public static void MapHealth(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet("/healthz", () => Results.Text("ok"));
        app.MapGet("/readyz", async (NpgsqlDataSource dataSource, CancellationToken ct) =>
        {
            var checks = new Dictionary<string, string>();
            var ready = true;
            try
            {
                await using var command = dataSource.CreateCommand("select 1");
                await command.ExecuteScalarAsync(ct).ConfigureAwait(false);
                checks["database"] = "ok";

                var pending = await new Migrator(dataSource).PendingAsync(ct).ConfigureAwait(false);
                checks["migrations"] = pending.Count == 0 ? "ok" : $"pending: {string.Join(", ", pending)}";
                ready &= pending.Count == 0;

                // A scheduler node checks in every few seconds; a check-in older than a minute means none runs.
                await using var scheduler = dataSource.CreateCommand(
                    "select count(*) from quartz.qrtz_scheduler_state where last_checkin_time > (extract(epoch from now()) * 1000)::bigint - 60000");
                var nodes = (long)(await scheduler.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
                checks["scheduler"] = nodes > 0 ? $"ok ({nodes} node(s))" : "no scheduler node has checked in for a minute";
                ready &= nodes > 0;
            }
            catch (NpgsqlException e)
            {
                checks["database"] = "unreachable: " + e.Message;
                ready = false;
            }

            return Results.Json(new { status = ready ? "ready" : "not ready", checks }, statusCode: ready ? 200 : 503);
        });
    }
}
