using System.Diagnostics.Metrics;

namespace Hubbub.Storage;

/// <summary>
/// The storage layer's meter (exported at <c>/metrics</c> with the runtime's own meters). Why a figure of the SQLite
/// writer's allocations: the writer thread runs every write, and the garbage it makes is collected on it (a gen0
/// collection runs on the allocating thread), so its bytes per write are a cost the machine's load does not move,
/// where its CPU time swings with the load. Why its pages and commits: every page a commit changes is written whole to
/// the write-ahead log (a frame each: two <c>pwrite</c>s and a checksum, then copied again by the checkpoint), so pages
/// written per write are the other cost the load does not move; commits say how many writes shared them.
/// </summary>
internal static class StorageMetrics
{
    private static readonly Meter Meter = new("Hubbub.Storage");
    private static long s_writerAllocated;
    private static long s_writerPagesWritten;
    private static long s_writerPagesRead;
    private static long s_writerCommits;
    private static long s_writerWrites;
    private static long s_writerCommands;

    static StorageMetrics()
    {
        Meter.CreateObservableCounter("sqlite.writer.allocated", () => Interlocked.Read(ref s_writerAllocated), "By",
            "Bytes the SQLite writer threads allocated while running write transactions (GC.GetAllocatedBytesForCurrentThread).");
        Meter.CreateObservableCounter("sqlite.writer.pages_written", () => Interlocked.Read(ref s_writerPagesWritten), "{page}",
            "Pages the SQLite writer's connection wrote to the write-ahead log (SQLITE_DBSTATUS_CACHE_WRITE).");
        Meter.CreateObservableCounter("sqlite.writer.pages_read", () => Interlocked.Read(ref s_writerPagesRead), "{page}",
            "Pages the SQLite writer's connection read from the file because its page cache lacked them (SQLITE_DBSTATUS_CACHE_MISS).");
        Meter.CreateObservableCounter("sqlite.writer.commits", () => Interlocked.Read(ref s_writerCommits), "{commit}",
            "Transactions the SQLite writer committed (each holds a group of writes).");
        Meter.CreateObservableCounter("sqlite.writer.writes", () => Interlocked.Read(ref s_writerWrites), "{write}",
            "Write transactions the SQLite writer ran for callers (committed or failed alone).");
        Meter.CreateObservableCounter("sqlite.writer.commands", () => Interlocked.Read(ref s_writerCommands), "{command}",
            "Commands the SQLite writer's connection executed (each pays the driver's and Dapper's fixed cost; a command may hold several statements).");
    }

    /// <summary>Adds what a writer thread allocated running a group of writes.</summary>
    public static void WriterAllocated(long bytes) => Interlocked.Add(ref s_writerAllocated, bytes);

    /// <summary>Adds what a writer's group cost in pages (written to the log, read from the file), commands, and its writes and commit.</summary>
    public static void WriterGroup(long pagesWritten, long pagesRead, int writes, bool committed, long commands)
    {
        Interlocked.Add(ref s_writerCommands, commands);
        Interlocked.Add(ref s_writerPagesWritten, pagesWritten);
        Interlocked.Add(ref s_writerPagesRead, pagesRead);
        Interlocked.Add(ref s_writerWrites, writes);
        if (committed)
        {
            Interlocked.Increment(ref s_writerCommits);
        }
    }
}
