namespace Crm.Pipeline.Synthetic;

/// <summary>Phase 2 for email (filled in below).</summary>
internal sealed partial class MailRenderer : IDisposable
{
    private readonly GeneratorOptions _o;
    private readonly string _root;
    private readonly TruthWriter _truth;

    public MailRenderer(GeneratorOptions options, string root, TruthWriter truth)
    {
        _o = options;
        _root = root;
        _truth = truth;
    }

    public long Messages { get; private set; }

    public long Bytes { get; private set; }

    public void Render(in SpoolEvent e, Person person, Identity id)
    {
        _ = e;
        _ = person;
        _ = id;
        _ = _o;
        _ = _root;
        _ = _truth;
    }

    public void Finish()
    {
    }

    public void Dispose()
    {
    }
}
