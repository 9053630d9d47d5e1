using System.Runtime.InteropServices;

namespace Hubbub.Bench.Infra;

/// <summary>libc calls the bench needs on Linux: the open-file limit, the clock tick of /proc CPU times, and signals (chaos).</summary>
internal static partial class NativeMethods
{
    private const int RlimitNoFile = 7;
    private const int ScClkTck = 2;

    [StructLayout(LayoutKind.Sequential)]
    private struct RLimit
    {
        public ulong Current;
        public ulong Maximum;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int getrlimit(int resource, ref RLimit limit);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int setrlimit(int resource, ref RLimit limit);

    [LibraryImport("libc")]
    private static partial long sysconf(int name);

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int SendSignal(int pid, int signal);

    /// <summary>Linux's SIGSTOP: the process stops, uncatchable (a node that hangs: GC pause, VM freeze).</summary>
    public const int SigStop = 19;

    /// <summary>Linux's SIGCONT: a stopped process runs on.</summary>
    public const int SigCont = 18;

    /// <summary>Sends <paramref name="signal"/> to process <paramref name="pid"/>; false when it failed (e.g. no such process).</summary>
    public static bool Signal(int pid, int signal) => OperatingSystem.IsLinux() && SendSignal(pid, signal) == 0;

    /// <summary>Clock ticks per second of /proc/*/stat CPU times.</summary>
    public static long ClockTicksPerSecond()
    {
        if (!OperatingSystem.IsLinux())
        {
            return 100;
        }
        var ticks = sysconf(ScClkTck);
        return ticks > 0 ? ticks : 100;
    }

    /// <summary>
    /// Why the open-file limit could not be raised further: the hard limit, and whether this process may raise it
    /// (CAP_SYS_RESOURCE, bit 24 of CapEff in /proc/self/status; a container may drop it even for root).
    /// </summary>
    public static string OpenFileLimitExplanation()
    {
        var limit = default(RLimit);
        _ = getrlimit(RlimitNoFile, ref limit);
        var capabilities = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("CapEff:", StringComparison.Ordinal));
        var mayRaise = capabilities is not null
            && ulong.TryParse(capabilities["CapEff:".Length..].Trim(), System.Globalization.NumberStyles.HexNumber, null, out var bits)
            && (bits & (1UL << 24)) != 0;
        return $"The hard limit is {limit.Maximum} and this process {(mayRaise ? "may" : "may not")} raise it "
            + $"(CAP_SYS_RESOURCE {(mayRaise ? "held" : "not held, e.g. dropped by the container")}); /proc/sys/fs/nr_open caps it in any case.";
    }

    /// <summary>
    /// Raises this process's open-file limit to at least <paramref name="wanted"/> (the servers started after it
    /// inherit it). As root the hard limit may rise too; otherwise the soft limit goes up to the hard one.
    /// Returns the soft limit in force afterwards.
    /// </summary>
    public static ulong RaiseOpenFileLimit(ulong wanted)
    {
        if (!OperatingSystem.IsLinux())
        {
            return wanted;
        }
        var limit = default(RLimit);
        if (getrlimit(RlimitNoFile, ref limit) != 0)
        {
            return 0;
        }
        if (limit.Current >= wanted)
        {
            return limit.Current;
        }
        var raised = new RLimit { Current = wanted, Maximum = Math.Max(wanted, limit.Maximum) };
        if (setrlimit(RlimitNoFile, ref raised) != 0)
        {
            raised = new RLimit { Current = limit.Maximum, Maximum = limit.Maximum };
            _ = setrlimit(RlimitNoFile, ref raised);
        }
        _ = getrlimit(RlimitNoFile, ref limit);
        return limit.Current;
    }
}
