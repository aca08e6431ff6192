namespace Crm.Worker.Settings;

/// <summary>How serious one finding of <see cref="Doctor"/> is.</summary>
public enum CheckLevel
{
    /// <summary>As it should be.</summary>
    Ok,

    /// <summary>Works, but probably not as meant (nothing to load, a schedule that never fires).</summary>
    Warning,

    /// <summary>Will fail: a setting, a folder, a server.</summary>
    Error,
}
