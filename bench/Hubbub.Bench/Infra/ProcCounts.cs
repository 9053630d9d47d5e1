using System.Globalization;

namespace Hubbub.Bench.Infra;

/// <summary>A process's open file descriptors (sockets included) and threads, from /proc: what a leak of handles shows in.</summary>
/// <param name="OpenFiles">Entries of /proc/PID/fd.</param>
/// <param name="Threads">The <c>Threads:</c> line of /proc/PID/status.</param>
public readonly record struct ProcCounts(int OpenFiles, int Threads)
{
    /// <summary>Reads process <paramref name="pid"/>.</summary>
    public static ProcCounts Read(int pid)
    {
        var open = Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd").Count();
        var threads = 0;
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("Threads:", StringComparison.Ordinal))
            {
                threads = int.Parse(line.AsSpan("Threads:".Length).Trim(), CultureInfo.InvariantCulture);
                break;
            }
        }
        return new ProcCounts(open, threads);
    }
}
