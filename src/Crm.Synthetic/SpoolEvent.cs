using System.Runtime.InteropServices;

namespace Crm.Synthetic;

/// <summary>What happens: an order, a web session, or an email.</summary>
internal enum EventKind : byte
{
    Order = 1,
    Session = 2,
    Email = 3,
}

/// <summary>Kinds of web session.</summary>
internal enum SessionKind : byte
{
    Browse = 0,
    Search = 1,
    Account = 2,
    Help = 3,
    Landing = 4,
}

/// <summary>Kinds of email thread.</summary>
internal enum MailKind : byte
{
    Question = 0,
    Complaint = 1,
    Cancellation = 2,
    Campaign = 3,
}

/// <summary>
/// One thing a person does, as decided by the lifecycle (phase 1) and rendered into files later
/// (phase 2). Everything needed to render it follows from these fields and the seed, so events
/// can be spooled to disk in a fixed-size binary form and sorted by time per week.
/// </summary>
[StructLayout(LayoutKind.Sequential, Pack = 1)]
internal struct SpoolEvent : IComparable<SpoolEvent>
{
    public long Ticks;      // UTC
    public int Person;      // person index
    public EventKind Kind;
    public byte Sub;        // SessionKind or MailKind
    public byte Step;       // message number within a thread
    public byte Flags;      // FlagDuplicate | FlagOnline | FlagWaning | FlagBadExperience
    public int Extra;       // purchase number, thread number or campaign number
    public ulong Seed;

    public const byte FlagDuplicate = 1;
    public const byte FlagOnline = 2;

    /// <summary>An order placed while the person is waning (<see cref="DropoutProcess.Engagement"/>): a smaller basket, returns likelier.</summary>
    public const byte FlagWaning = 4;

    /// <summary>An order with a bad experience (<see cref="DropoutProcess.Engagement"/>): one of its items goes back.</summary>
    public const byte FlagBadExperience = 8;

    public readonly int CompareTo(SpoolEvent other)
    {
        var c = Ticks.CompareTo(other.Ticks);
        if (c != 0)
        {
            return c;
        }

        c = Person.CompareTo(other.Person);
        if (c != 0)
        {
            return c;
        }

        c = ((byte)Kind).CompareTo((byte)other.Kind);
        if (c != 0)
        {
            return c;
        }

        c = Extra.CompareTo(other.Extra);
        return c != 0 ? c : Step.CompareTo(other.Step);
    }
}
