using System.Globalization;

namespace Crm.Synthetic;

/// <summary>
/// Phase 1: one person's whole life in the period. By default purchases follow the BG/NBD story (rate
/// λ ~ Gamma(r, α), after each repeat purchase a dropout with probability p ~ Beta(a, b)); with
/// <see cref="DropoutProcess.Engagement"/> they come on a rhythm and people leave by a hazard that experience
/// shapes (<see cref="EngagementPurchases"/>). Order values follow the gamma-gamma model. Visits thin out over the
/// waning window before dropout (<see cref="GeneratorOptions.ChurnSignalDays"/>) and complaints become likely,
/// with noise. Events go to the spool, truth to the truth files.
/// </summary>
internal sealed class Lifecycle
{
    internal const ulong StreamLife = 2;
    internal const ulong StreamToken = 7;

    private readonly GeneratorOptions _o;
    private readonly PersonFactory _factory;
    private readonly EventSpool _spool;
    private readonly TruthWriter _truth;
    private readonly long _startTicks;
    private readonly List<double> _purchases = new(64);
    private readonly List<byte> _purchaseFlags = new(64);

    // The engagement process (DropoutProcess.Engagement): each bad experience raises the dropout hazard by this
    // share of the base; a new customer's hazard starts at 1.5× the base and settles to 0.5× over about half a year.
    private const double HazardPerBadExperience = 1.5;
    private const double TenureSettleDays = 180;

    public Lifecycle(GeneratorOptions options, PersonFactory factory, EventSpool spool, TruthWriter truth)
    {
        _o = options;
        _factory = factory;
        _spool = spool;
        _truth = truth;
        _startTicks = new DateTime(options.Start, TimeOnly.MinValue, DateTimeKind.Utc).Ticks;
    }

    public long Orders { get; private set; }

    public long Sessions { get; private set; }

    public long Emails { get; private set; }

    public long Dropouts { get; private set; }

    /// <summary>Number of people with at least two purchases (those who may get a duplicate record).</summary>
    public long RepeatBuyers { get; private set; }

    /// <summary>Campaign <paramref name="c"/>'s day offset from the start.</summary>
    public int CampaignDay(int c) => 3 + c * _o.CampaignEveryDays;

    public static string Token(ulong seed, int person, int campaign)
    {
        var rng = Prng.For(seed, StreamToken, Prng.Mix((ulong)person, (ulong)campaign));
        return rng.Hex(12);
    }

    public void Simulate(int index)
    {
        var person = _factory.Create(index);
        var rng = Prng.For(_o.Seed, StreamLife, (ulong)index);
        double days = _o.Days;
        var t0 = rng.NextDouble() * days;
        var lambda = rng.Gamma(_o.PurchaseShape, _o.PurchaseScale);
        var p = rng.Beta(_o.DropoutA, _o.DropoutB);
        var nu = rng.Gamma(_o.SpendQ, _o.SpendGamma);
        var engagement = rng.Gamma(3, 3); // person-level noise on visits, mean 1
        var personSeed = rng.NextUInt64();

        _purchases.Clear();
        _purchaseFlags.Clear();
        var dropout = double.NaN;
        double waning = _o.ChurnSignalDays;
        if (_o.Dropout == DropoutProcess.Engagement)
        {
            (dropout, waning) = EngagementPurchases(ref rng, t0, lambda, p);
        }
        else
        {
            var t = t0;
            while (true)
            {
                _purchases.Add(t);
                _purchaseFlags.Add(0);

                // BG/NBD drops out only after a repeat purchase: the first one is the acquisition, and a
                // person with no repeat is alive in the model (x = 0 ⇒ P(alive) = 1). Dropping out right
                // after it too (the MBG/NBD story) biases a BG/NBD fit (r by −40 % at the defaults).
                if (_purchases.Count > 1 && rng.Chance(p))
                {
                    dropout = t;
                    break;
                }

                t += rng.Exponential(lambda);
                if (t >= days)
                {
                    break;
                }
            }
        }

        var complaintAfter = new List<double>();
        for (var k = 0; k < _purchases.Count; k++)
        {
            // A bad experience is often followed by a complaint within days (drawn here, written with the other mail below).
            if ((_purchaseFlags[k] & SpoolEvent.FlagBadExperience) != 0 && rng.Chance(0.6))
            {
                complaintAfter.Add(_purchases[k] + 1 + rng.NextDouble() * 4);
            }
        }

        // The truth's dropout is within the period; someone still waning at its end is not gone yet.
        var truthDropout = dropout < days ? dropout : double.NaN;
        if (!double.IsNaN(truthDropout))
        {
            Dropouts++;
        }

        // A second record only makes sense for someone seen more than once.
        var dupFrom = int.MaxValue;
        var dupTime = double.PositiveInfinity;
        if (_purchases.Count >= 2)
        {
            RepeatBuyers++;
            if (rng.Chance(_o.DuplicateRate))
            {
                _factory.AddDuplicate(person);
                dupFrom = 1 + rng.Next(_purchases.Count - 1);
                dupTime = _purchases[dupFrom];
                _truth.Duplicate(person, At(dupTime));
            }
        }

        // Orders.
        for (var k = 0; k < _purchases.Count; k++)
        {
            var flags = (byte)((k >= dupFrom ? SpoolEvent.FlagDuplicate : 0) | (rng.Chance(0.7) ? SpoolEvent.FlagOnline : 0) | _purchaseFlags[k]);
            Add(new SpoolEvent { Ticks = Ticks(_purchases[k]), Person = index, Kind = EventKind.Order, Flags = flags, Extra = k, Seed = Prng.Mix(personSeed, (ulong)k) });
        }

        Orders += _purchases.Count;

        // Web sessions: a Poisson process thinned by engagement, from two weeks before the first purchase.
        var sessions = 0;
        var visitRate = (_o.BaselineVisitsPerYear / 365.0 + _o.VisitsPerPurchase * lambda) * engagement;
        if (visitRate > 0)
        {
            var s = Math.Max(0, t0 - 14);
            var guard = 0;
            while (guard++ < 2000)
            {
                s += rng.Exponential(visitRate);
                if (s >= days)
                {
                    break;
                }

                var keep = s < t0 ? 0.5 : Engagement(s, dropout, waning);
                if (!rng.Chance(keep))
                {
                    continue;
                }

                var roll = rng.NextDouble();
                var kind = roll < 0.45 ? SessionKind.Browse : roll < 0.7 ? SessionKind.Search : roll < 0.85 ? SessionKind.Account : SessionKind.Help;
                if (s < t0 && kind == SessionKind.Account)
                {
                    kind = SessionKind.Browse;
                }

                Add(new SpoolEvent { Ticks = Ticks(s), Person = index, Kind = EventKind.Session, Sub = (byte)kind, Flags = (byte)(s >= dupTime ? SpoolEvent.FlagDuplicate : 0), Extra = 1000 + sessions, Seed = Prng.Mix(personSeed, 0x5E55_0000UL + (ulong)sessions) });
                sessions++;
            }
        }

        // Campaigns (to everyone who ever bought, churned or not) and their clicks.
        var mails = 0;
        for (var c = 0; CampaignDay(c) < _o.Days; c++)
        {
            var day = CampaignDay(c);
            if (day <= t0 || !rng.Chance(_o.CampaignReach))
            {
                continue;
            }

            var sent = day + (9 * 60 + rng.Next(180)) / 1440.0;
            var dup = sent >= dupTime && person.Duplicate!.Email != person.Main.Email;
            var email = dup ? person.Duplicate!.Email : person.Main.Email;
            Add(new SpoolEvent { Ticks = Ticks(sent), Person = index, Kind = EventKind.Email, Sub = (byte)MailKind.Campaign, Flags = (byte)(dup ? SpoolEvent.FlagDuplicate : 0), Extra = c, Seed = Prng.Mix(personSeed, 0xCA00_0000UL + (ulong)c) });
            mails++;
            var token = Token(_o.Seed, index, c);
            _truth.Record("tracking", token, person.PersonId, email);
            if (rng.Chance(_o.ClickRate * Math.Min(1, Engagement(sent, dropout, waning) * 1.2)))
            {
                var click = sent + rng.Exponential(4.0) / 24.0 * 6;
                if (click < days)
                {
                    Add(new SpoolEvent { Ticks = Ticks(click), Person = index, Kind = EventKind.Session, Sub = (byte)SessionKind.Landing, Flags = (byte)(dup ? SpoolEvent.FlagDuplicate : 0), Extra = c, Seed = Prng.Mix(personSeed, 0x1A00_0000UL + (ulong)c) });
                    sessions++;
                }
            }
        }

        // Inbound mail threads: questions while active, complaints before dropout, cancellations after.
        var threads = 0;
        var complained = false;
        var activeEnd = double.IsNaN(dropout) ? days : Math.Min(days, dropout + 30);
        var q = t0;
        while (_o.QuestionsPerYear > 0)
        {
            q += rng.Exponential(_o.QuestionsPerYear / 365.0);
            if (q >= activeEnd)
            {
                break;
            }

            mails += Thread(person, ref rng, personSeed, MailKind.Question, q, threads++, dupTime);
        }

        var b = t0;
        while (_o.BaselineComplaintsPerYear > 0)
        {
            b += rng.Exponential(_o.BaselineComplaintsPerYear / 365.0);
            if (b >= activeEnd)
            {
                break;
            }

            complained = true;
            mails += Thread(person, ref rng, personSeed, MailKind.Complaint, b, threads++, dupTime);
        }

        foreach (var at in complaintAfter)
        {
            complained = true;
            mails += Thread(person, ref rng, personSeed, MailKind.Complaint, at, threads++, dupTime);
        }

        if (!double.IsNaN(dropout))
        {
            if (rng.Chance(_o.ComplaintBeforeDropout))
            {
                var at = Math.Max(t0, dropout - rng.NextDouble() * waning);
                complained = true;
                mails += Thread(person, ref rng, personSeed, MailKind.Complaint, at, threads++, dupTime);
            }

            if (rng.Chance(_o.CancellationRequestRate))
            {
                mails += Thread(person, ref rng, personSeed, MailKind.Cancellation, dropout + 1 + rng.NextDouble() * 20, threads++, dupTime);
            }
        }

        Sessions += sessions;
        Emails += mails;

        // Truth: the person and every identifier they appear under.
        var local = person.Culture;
        var expected = _o.SpendP / nu * (double)local.FxPerUnit;
        _truth.Person(
        [
            person.PersonId, local.Country, person.Language, person.Main.Given, person.Main.Family, person.Main.Email, person.Main.CustomerId,
            person.HouseholdOf >= 0 ? PersonFactory.PersonIdOf(person.HouseholdOf) : null,
            Date(t0), double.IsNaN(truthDropout) ? null : Date(truthDropout), double.IsNaN(truthDropout) ? "true" : "false",
            Num(lambda), Num(p), Num(_o.SpendP), Num(nu), Num(expected), local.Currency,
            _purchases.Count.ToString(CultureInfo.InvariantCulture), sessions.ToString(CultureInfo.InvariantCulture),
            mails.ToString(CultureInfo.InvariantCulture), complained ? "true" : "false",
        ]);
        _truth.Record("orders:" + Feeds.Name(person.Main.Feed), person.Main.CustomerId, person.PersonId, "customer_id");
        _truth.Record("email", person.Main.Email.ToLowerInvariant(), person.PersonId, "address");
        if (person.Duplicate is { } d)
        {
            _truth.Record("orders:" + Feeds.Name(d.Feed), d.CustomerId, person.PersonId, "duplicate customer_id");
            if (d.Email != person.Main.Email)
            {
                _truth.Record("email", d.Email.ToLowerInvariant(), person.PersonId, "address (duplicate record)");
            }
        }

        // Every person has one device; its cookie and address show in sessions and checkouts.
        _truth.Record("weblogs:visitor", person.VisitorId, person.PersonId, "vid cookie");
        _truth.Record("weblogs:client", person.Ip, person.PersonId, person.HouseholdOf >= 0 ? "ip shared with household " + PersonFactory.PersonIdOf(person.HouseholdOf) : "ip");
    }

    private int Thread(Person person, ref Prng rng, ulong personSeed, MailKind kind, double at, int thread, double dupTime)
    {
        double days = _o.Days;
        if (at >= days)
        {
            return 0;
        }

        var seed = Prng.Mix(personSeed, 0x7E00_0000UL + (ulong)thread);
        var flags = (byte)(at >= dupTime ? SpoolEvent.FlagDuplicate : 0);
        var count = 0;
        var t = at;
        for (byte step = 0; step < 4; step++)
        {
            if (step > 0)
            {
                var answerChance = step switch { 1 => 0.85, 2 => kind == MailKind.Complaint ? 0.5 : 0.25, _ => 0.8 };
                if (!rng.Chance(answerChance))
                {
                    break;
                }

                t += (step % 2 == 1 ? 1 + rng.NextDouble() * 47 : 2 + rng.NextDouble() * 70) / 24.0;
                if (t >= days)
                {
                    break;
                }
            }

            Add(new SpoolEvent { Ticks = Ticks(t), Person = person.Index, Kind = EventKind.Email, Sub = (byte)kind, Step = step, Flags = flags, Extra = thread, Seed = seed });
            count++;
        }

        return count;
    }

    /// <summary>
    /// The engagement process's purchases into <see cref="_purchases"/>: gaps ~ Gamma(κ, κλ) (mean 1/λ as in BG/NBD;
    /// κ = 1 + Gamma(2, 1) per person, so most buy on a rhythm and a few as irregularly as a Poisson process). From the
    /// first order on, the person decides to leave at a hazard of p·λ per day (BG/NBD's mean lifetime of 1/p orders
    /// every 1/λ days) × (1 + 1.5 per bad experience so far) × a tenure factor from 1.5 down to 0.5. After deciding
    /// they wane for a window around <see cref="GeneratorOptions.ChurnSignalDays"/>: orders thin out as engagement
    /// falls and are flagged waning (smaller, returned more); the end of that window is the dropout.
    /// </summary>
    /// <returns>
    /// The day the person is gone (NaN when they never decide to leave in the period; it may lie after the period's end
    /// when they are still waning then) and the waning window in days.
    /// </returns>
    private (double Gone, double Waning) EngagementPurchases(ref Prng rng, double t0, double lambda, double p)
    {
        double days = _o.Days;
        var regularity = 1 + rng.Gamma(2, 1);
        var waning = Math.Max(1, _o.ChurnSignalDays * (0.5 + rng.NextDouble()));
        var baseHazard = p * lambda;
        var bad = 0;
        var t = t0;
        var decided = double.NaN;
        while (true)
        {
            var waningNow = !double.IsNaN(decided);
            var badNow = rng.Chance(_o.BadExperienceRate);
            _purchases.Add(t);
            _purchaseFlags.Add((byte)((waningNow ? SpoolEvent.FlagWaning : 0) | (badNow ? SpoolEvent.FlagBadExperience : 0)));
            bad += badNow ? 1 : 0;

            var next = t;
            while (true)
            {
                next += rng.Gamma(regularity, regularity * lambda);
                if (next >= days || double.IsNaN(decided) || next >= decided + waning)
                {
                    break;
                }

                // While waning, an order comes only as often as the person is still engaged.
                if (rng.Chance(Engagement(next, decided + waning, waning)))
                {
                    break;
                }
            }

            if (double.IsNaN(decided))
            {
                // The hazard over the gap, held at its value at the gap's start (tenure moves slowly against a gap).
                var tenure = 0.5 + Math.Exp(-(t - t0) / TenureSettleDays);
                var leave = t + rng.Exponential(baseHazard * (1 + HazardPerBadExperience * bad) * tenure);
                if (leave < Math.Min(next, days))
                {
                    decided = leave;
                    // The order planned after the decision is only placed if it falls in the waning window and the
                    // person is still engaged enough then.
                    while (next < decided + waning && next < days && !rng.Chance(Engagement(next, decided + waning, waning)))
                    {
                        next += rng.Gamma(regularity, regularity * lambda);
                    }
                }
            }

            if (next >= days || (!double.IsNaN(decided) && next >= decided + waning))
            {
                break;
            }

            t = next;
        }

        return (double.IsNaN(decided) ? double.NaN : decided + waning, waning);
    }

    /// <summary>1 while engaged; falls to 0.25 over the waning window of <paramref name="window"/> days before dropout; fades out after it.</summary>
    private static double Engagement(double t, double dropout, double window)
    {
        if (double.IsNaN(dropout))
        {
            return 1;
        }

        var w = Math.Max(1, window);
        if (t < dropout - w)
        {
            return 1;
        }

        if (t <= dropout)
        {
            return 1 - 0.75 * (t - (dropout - w)) / w;
        }

        return 0.15 * Math.Exp(-(t - dropout) / 45.0);
    }

    private void Add(SpoolEvent e) => _spool.Add(e);

    private long Ticks(double days)
    {
        var ticks = _startTicks + (long)(days * TimeSpan.TicksPerDay);
        return ticks - ticks % TimeSpan.TicksPerSecond;
    }

    private DateTime At(double days) => new(Ticks(days), DateTimeKind.Utc);

    private string Date(double days) => At(days).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    private static string Num(double v) => v.ToString("G6", CultureInfo.InvariantCulture);
}
