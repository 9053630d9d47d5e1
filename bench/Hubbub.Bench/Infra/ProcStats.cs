using System.Globalization;

namespace Hubbub.Bench.Infra;

/// <summary>One reading of a process's resident memory and CPU time from /proc.</summary>
/// <param name="RssBytes">Resident set size.</param>
/// <param name="CpuMicroseconds">User plus system CPU time so far.</param>
public readonly record struct ProcSample(long RssBytes, long CpuMicroseconds)
{
    private static readonly long TickMicroseconds = 1_000_000 / NativeMethods.ClockTicksPerSecond();

    /// <summary>Reads process <paramref name="pid"/> (or "self").</summary>
    public static ProcSample Read(string pid)
    {
        long rss = 0;
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                rss = long.Parse(parts[1], CultureInfo.InvariantCulture) * 1024;
                break;
            }
        }
        // Fields after the command name (which may hold spaces) start after the last ')'; utime and stime are
        // fields 14 and 15 of the whole line, so 12 and 13 after it.
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return new ProcSample(rss, ticks * TickMicroseconds);
    }

    /// <summary>Reads this process.</summary>
    public static ProcSample Self() => Read("self");

    /// <summary>
    /// CPU time so far of process <paramref name="pid"/>'s threads whose name starts with <paramref name="threadName"/>
    /// (Linux keeps the first 15 bytes of a thread's name): e.g. the server's one SQLite writer, which bounds its events/s.
    /// </summary>
    public static long ThreadCpuMicroseconds(string pid, string threadName)
    {
        var prefix = threadName.Length > 15 ? threadName[..15] : threadName;
        long ticks = 0;
        foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
        {
            try
            {
                if (!File.ReadAllText(Path.Combine(task, "comm")).StartsWith(prefix, StringComparison.Ordinal))
                {
                    continue;
                }
                var stat = File.ReadAllText(Path.Combine(task, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                ticks += long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            }
            catch (IOException)
            {
                // The thread ended between the listing and the read.
            }
        }
        return ticks * TickMicroseconds;
    }
}
