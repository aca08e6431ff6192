using System.Globalization;

namespace Crm.Synthetic;

internal sealed partial class WebRenderer
{
    private static readonly byte[][] Months =
        ["Jan"u8.ToArray(), "Feb"u8.ToArray(), "Mar"u8.ToArray(), "Apr"u8.ToArray(), "May"u8.ToArray(), "Jun"u8.ToArray(),
         "Jul"u8.ToArray(), "Aug"u8.ToArray(), "Sep"u8.ToArray(), "Oct"u8.ToArray(), "Nov"u8.ToArray(), "Dec"u8.ToArray()];

    /// <summary>One site's lines of the current day, formatted, waiting to be sorted and written.</summary>
    private sealed class SiteDay(WebSite site)
    {
        public WebSite Site { get; } = site;
        public ByteBuffer Buffer { get; } = new(1 << 16);
        public List<Entry> Entries { get; } = new(1024);

        public void Clear()
        {
            Buffer.Clear();
            Entries.Clear();
        }
    }

    private readonly record struct Entry(long Key, long Ticks, int Seq, int Start, int Length, string? Fault) : IComparable<Entry>
    {
        public int CompareTo(Entry other)
        {
            var c = Key.CompareTo(other.Key);
            return c != 0 ? c : Seq.CompareTo(other.Seq);
        }
    }

    /// <summary>Formats the requests in <see cref="_requests"/> as one visitor's lines from <paramref name="start"/>.</summary>
    private void Emit(ref Prng rng, SiteDay site, long start, string ip, string agent, string vid, string? externalReferer)
    {
        var ticks = start;
        string? previous = null;
        for (var i = 0; i < _requests.Count; i++)
        {
            var r = _requests[i];
            ticks += (long)(r.Gap * TimeSpan.TicksPerSecond);
            ticks -= ticks % TimeSpan.TicksPerSecond;
            var referer = previous is null ? externalReferer : "https://" + site.Site.Host + previous;
            string? fault = null;
            var key = ticks;
            if (rng.Chance(_o.WebFaultRate))
            {
                fault = FaultKinds[rng.Next(FaultKinds.Length)];
                if (fault == "enormous_field" && _enormous++ >= MaxEnormous)
                {
                    fault = "truncated";
                }
            }
            else if (rng.Chance(_o.OutOfOrderRate))
            {
                // Written by a worker that flushed late: the line sits after later ones.
                fault = "out_of_order";
                key += (60 + rng.Next(900)) * TimeSpan.TicksPerSecond;
            }

            var b = site.Buffer;
            var begin = b.Length;
            if (fault == "garbage")
            {
                // A TLS handshake or port scan hitting the plain-HTTP port, logged raw.
                var n = 20 + rng.Next(60);
                for (var k = 0; k < n; k++)
                {
                    var x = (byte)rng.Next(256);
                    b.Byte(x is (byte)'\n' or (byte)'\r' ? (byte)0x16 : x);
                }
            }
            else
            {
                var path = fault == "bad_encoding" ? null : r.Path;
                var enormousReferer = fault == "enormous_field" ? "https://www.google.com/search?q=" + new string('x', 70_000 + rng.Next(30_000)) : referer;
                Format(b, site.Site, ticks, ip, agent, vid, r.Post ? "POST" : "GET", path, r.Status, 200 + rng.Next(60_000), enormousReferer, rng.Next(1, 900));
                if (fault == "truncated")
                {
                    var len = b.Length - begin;
                    b.Truncate(begin + len * (3 + rng.Next(5)) / 10);
                }
            }

            site.Entries.Add(new Entry(key, ticks, site.Entries.Count, begin, b.Length - begin, fault));
            previous = r.Path;
        }
    }

    private static void Format(ByteBuffer b, WebSite site, long ticks, string ip, string agent, string vid, string method, string? path,
        int status, int bytes, string? referer, int millis)
    {
        var utc = new DateTime(ticks, DateTimeKind.Utc);
        switch (site.Format)
        {
            case LogFormat.Combined:
            {
                var offset = LocalTime.OffsetMinutes(site.OffsetMinutes, site.DstRule, utc);
                var local = utc.AddMinutes(offset);
                b.Utf8(ip);
                b.Ascii(" - - ["u8);
                b.Digits(local.Day, 2);
                b.Byte((byte)'/');
                b.Ascii(Months[local.Month - 1]);
                b.Byte((byte)'/');
                b.Digits(local.Year, 4);
                b.Byte((byte)':');
                b.Time(local);
                b.Byte((byte)' ');
                b.Offset(offset, false);
                b.Ascii("] \""u8);
                WriteRequest(b, method, path, "HTTP/1.1"u8);
                b.Ascii("\" "u8);
                b.Int(status);
                b.Byte((byte)' ');
                b.Int(bytes);
                b.Ascii(" \""u8);
                b.Utf8(referer ?? "-");
                b.Ascii("\" \""u8);
                b.Utf8(agent);
                b.Byte((byte)'"');
                break;
            }

            case LogFormat.NginxCustom:
                b.Utf8(ip);
                b.Ascii(" - - ["u8);
                b.Iso(utc, 0);
                b.Ascii("] \""u8);
                WriteRequest(b, method, path, "HTTP/2.0"u8);
                b.Ascii("\" "u8);
                b.Int(status);
                b.Byte((byte)' ');
                b.Int(bytes);
                b.Ascii(" \""u8);
                b.Utf8(referer ?? "-");
                b.Ascii("\" \""u8);
                b.Utf8(agent);
                b.Ascii("\" rt="u8);
                b.Fixed(millis, 3);
                b.Ascii(" vid=\""u8);
                b.Utf8(vid);
                b.Ascii("\" host="u8);
                b.Utf8(site.Host);
                break;
            default:
            {
                b.Date(utc, (byte)'-');
                b.Byte((byte)' ');
                b.Time(utc);
                b.Ascii(" 10.0.4.12 "u8);
                b.Utf8(method);
                b.Byte((byte)' ');
                if (path is null)
                {
                    b.Ascii("/search "u8);
                    b.Latin1("q=größe+über");
                }
                else
                {
                    var q = path.IndexOf('?', StringComparison.Ordinal);
                    if (q < 0)
                    {
                        b.Utf8(path);
                        b.Ascii(" -"u8);
                    }
                    else
                    {
                        b.Utf8(path[..q]);
                        b.Byte((byte)' ');
                        b.Utf8(path[(q + 1)..]);
                    }
                }

                b.Ascii(" 443 - "u8);
                b.Utf8(ip);
                b.Byte((byte)' ');
                b.Utf8(agent.Replace(' ', '+'));
                b.Byte((byte)' ');
                b.Utf8(referer ?? "-");
                b.Byte((byte)' ');
                b.Int(status);
                b.Ascii(" 0 0 "u8);
                b.Int(millis);
                break;
            }
        }
    }

    private static void WriteRequest(ByteBuffer b, string method, string? path, ReadOnlySpan<byte> protocol)
    {
        b.Utf8(method);
        b.Byte((byte)' ');
        if (path is null)
        {
            // A client that sent Latin-1 in the URL; servers log the raw bytes.
            b.Ascii("/search?q="u8);
            b.Latin1("größe über");
        }
        else
        {
            b.Utf8(path);
        }

        b.Byte((byte)' ');
        b.Ascii(protocol);
    }

    private void Flush(SiteDay site)
    {
        var date = DateOnly.FromDateTime(_fileStart).ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        var name = "weblogs/" + site.Site.Name + "/access.log-" + date;
        var rng = Prng.For(_o.Seed, StreamFile, Prng.Mix((ulong)_fileDay, (ulong)site.Site.Format));
        var gzip = rng.Chance(_o.GzipShare);
        if (_emptyDay >= _fileDay && _emptyDay <= _day && site.Site.Format == LogFormat.W3C)
        {
            using (var empty = new OutputFile(_root, name, gzip: false))
            {
                _truth.Fault("empty_file", empty.RelativePath, 0, $"logging broke: {site.Entries.Count} lines of this {(_o.WebLogDaysPerFile == 1 ? "day" : "file")} are lost");
                _files.Add(new FileEntry(empty.RelativePath, site.Site.Name, site.Site.Host, WebSite.FormatName(site.Site.Format), site.Site.TimeZone, 0));
            }

            return;
        }

        site.Entries.Sort();
        using var file = new OutputFile(_root, name, gzip);
        if (site.Site.Format == LogFormat.W3C)
        {
            WriteW3CHeader(file, site.Entries.Count > 0 ? site.Entries[0].Key : _fileStart.Ticks);
        }

        var restartAt = site.Site.Format == LogFormat.W3C && site.Entries.Count > 10 && rng.Chance(0.1) ? rng.Next(site.Entries.Count) : -1;
        var lines = 0L;
        var latest = long.MinValue;
        for (var i = 0; i < site.Entries.Count; i++)
        {
            if (i == restartAt)
            {
                // IIS writes its headers again after an application-pool restart.
                WriteW3CHeader(file, site.Entries[i].Key);
            }

            var e = site.Entries[i];
            file.WriteLine(site.Buffer.Slice(e.Start, e.Length));
            lines++;
            latest = Math.Max(latest, e.Ticks);
            // A delayed line only counts as out of order when a later one was written before it.
            if (e.Fault is not null && (e.Fault != "out_of_order" || e.Ticks < latest))
            {
                _truth.Fault(e.Fault, file.RelativePath, file.Lines, e.Fault == "out_of_order" ? "timestamp earlier than the line before" : "web log line");
            }
        }

        Lines += lines;
        Bytes += file.Bytes;
        _files.Add(new FileEntry(file.RelativePath, site.Site.Name, site.Site.Host, WebSite.FormatName(site.Site.Format), site.Site.TimeZone, lines));
    }

    private static void WriteW3CHeader(OutputFile file, long ticks)
    {
        var b = new ByteBuffer(256);
        b.Ascii("#Software: Microsoft Internet Information Services 10.0"u8);
        file.WriteLine(b.Written);
        file.WriteLine("#Version: 1.0"u8);
        b.Clear();
        b.Ascii("#Date: "u8);
        var t = new DateTime(ticks, DateTimeKind.Utc);
        b.Date(t, (byte)'-');
        b.Byte((byte)' ');
        b.Time(t);
        file.WriteLine(b.Written);
        b.Clear();
        b.Ascii("#Fields: "u8);
        b.Ascii(System.Text.Encoding.ASCII.GetBytes(WebSite.W3CFields));
        file.WriteLine(b.Written);
    }
}
