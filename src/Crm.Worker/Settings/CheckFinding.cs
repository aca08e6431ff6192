namespace Crm.Worker.Settings;

/// <summary>One line of the check: what was looked at and what was found.</summary>
public sealed record CheckFinding(CheckLevel Level, string Subject, string Message)
{
    /// <inheritdoc />
    public override string ToString() => $"{Label(Level),-5} {Subject}: {Message}";

    private static string Label(CheckLevel level) => level switch
    {
        CheckLevel.Ok => "ok",
        CheckLevel.Warning => "warn",
        _ => "ERROR",
    };
}
