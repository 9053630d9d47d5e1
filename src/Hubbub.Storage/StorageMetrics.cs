using System.Diagnostics.Metrics;

namespace Hubbub.Storage;

/// <summary>
/// The storage layer's meter (exported at <c>/metrics</c> with the runtime's own meters). Why a figure of the SQLite
/// writer's allocations: the writer thread runs every write, and the garbage it makes is collected on it (a gen0
/// collection runs on the allocating thread), so its bytes per write are a cost the machine's load does not move,
/// where its CPU time swings with the load.
/// </summary>
internal static class StorageMetrics
{
    private static readonly Meter Meter = new("Hubbub.Storage");
    private static long s_writerAllocated;

    static StorageMetrics()
    {
        Meter.CreateObservableCounter("sqlite.writer.allocated", () => Interlocked.Read(ref s_writerAllocated), "By",
            "Bytes the SQLite writer threads allocated while running write transactions (GC.GetAllocatedBytesForCurrentThread).");
    }

    /// <summary>Adds what a writer thread allocated running a group of writes.</summary>
    public static void WriterAllocated(long bytes) => Interlocked.Add(ref s_writerAllocated, bytes);
}
