using System.Runtime.InteropServices;

namespace Hubbub.Server.Hosting;

/// <summary>
/// Caps glibc's malloc arenas at <see cref="DefaultMax"/> for the life of the process, unless the operator chose
/// (<c>MALLOC_ARENA_MAX</c>, or <c>arena_max</c> in <c>GLIBC_TUNABLES</c>). glibc gives a thread that meets a busy
/// arena an arena of its own, up to 8 per core, and never gives one back: every time the thread pool injects threads
/// (a loaded machine, a burst of connects) the runtime's and the native libraries' allocations spread over more arenas,
/// each keeping its freed, fragmented pages. A node that churns connections for hours then shows its resident memory
/// growing in steps with its thread count while its managed heap is level (docs/performance.md, "Soak"). With two
/// arenas the freed memory is reused by whichever thread allocates next. Call first thing in <c>Main</c>: arenas
/// made before the call stay.
/// </summary>
internal static class MallocArenas
{
    /// <summary>Arenas the server keeps when the operator has not chosen.</summary>
    public const int DefaultMax = 2;

    // mallopt's parameter number for the arena cap (malloc.h).
    private const int ArenaMaxParameter = -8;

    /// <summary>Sets the cap; true when it was set here, false when the operator chose or the C library is not glibc.</summary>
    public static bool Limit()
    {
        if (!OperatingSystem.IsLinux() || OperatorChose(Environment.GetEnvironmentVariable("MALLOC_ARENA_MAX"),
                Environment.GetEnvironmentVariable("GLIBC_TUNABLES")))
        {
            return false;
        }
        try
        {
            return NativeMethods.mallopt(ArenaMaxParameter, DefaultMax) == 1;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            // musl (Alpine) has no mallopt and no per-thread arenas: nothing to cap.
            return false;
        }
    }

    /// <summary>
    /// Gives the pages of freed memory in every arena back to the operating system (glibc's <c>malloc_trim(0)</c>); the
    /// bytes returned are not known. False when the C library is not glibc.
    /// </summary>
    public static bool Trim()
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }
        try
        {
            _ = NativeMethods.malloc_trim(0); // 1 when pages went back, 0 when there were none: either is fine
            return true;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    /// <summary>Whether the environment already sets glibc's arena cap.</summary>
    internal static bool OperatorChose(string? mallocArenaMax, string? glibcTunables) =>
        !string.IsNullOrWhiteSpace(mallocArenaMax)
        || (glibcTunables?.Contains("glibc.malloc.arena_max", StringComparison.Ordinal) ?? false);

    private static class NativeMethods
    {
#pragma warning disable SYSLIB1054 // Two ints, nothing to marshal: a generated stub would need unsafe code for no gain.
        [DllImport("libc", ExactSpelling = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int mallopt(int param, int value);

        [DllImport("libc", ExactSpelling = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int malloc_trim(nuint pad);
#pragma warning restore SYSLIB1054
    }
}
