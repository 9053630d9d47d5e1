namespace Hubbub.Bench.Clients;

/// <summary>
/// A Hubbub server's garbage-collector totals since it started, from its <c>/metrics</c> (the runtime's System.Runtime
/// meters): bytes allocated, time paused, collections of gen0–2. Two readings' difference divided by the operations
/// between them is a load-independent cost per operation (bytes allocated do not depend on what else runs on the machine).
/// </summary>
/// <param name="Allocated">Bytes allocated on the GC heap.</param>
/// <param name="PauseSeconds">Time the GC paused the process.</param>
/// <param name="Collections">Collections of gen0, gen1 and gen2.</param>
/// <param name="SqliteWriterAllocated">
/// Bytes the SQLite writer thread allocated (<c>hubbub_storage_sqlite_writer_allocated</c>); NaN from a build before that
/// meter, or a server without SQLite.
/// </param>
public sealed record ServerGcTotals(double Allocated, double PauseSeconds, double[] Collections, double SqliteWriterAllocated)
{
    /// <summary>Reads the totals now.</summary>
    public static async Task<ServerGcTotals> ReadAsync(ServerApi api, CancellationToken cancellationToken) =>
        Of(await MetricSamples.ReadAsync(api, cancellationToken));

    /// <summary>The totals of one reading of the server's metrics.</summary>
    public static ServerGcTotals Of(MetricSamples metrics)
    {
        double pause = 0, allocated = 0, writer = double.NaN;
        var collections = new double[3];
        foreach (var (series, value) in metrics.All)
        {
            if (series.StartsWith("hubbub_storage_sqlite_writer_allocated", StringComparison.Ordinal))
            {
                writer = value;
            }
            else if (series == "system_runtime_dotnet_gc_pause_time")
            {
                pause = value;
            }
            else if (series == "system_runtime_dotnet_gc_heap_total_allocated")
            {
                allocated = value;
            }
            else if (series.StartsWith("system_runtime_dotnet_gc_collections{", StringComparison.Ordinal))
            {
                for (var g = 0; g < 3; g++)
                {
                    if (series.Contains($"\"gen{g}\"", StringComparison.Ordinal))
                    {
                        collections[g] = value;
                    }
                }
            }
        }
        return new ServerGcTotals(allocated, pause, collections, writer);
    }
}
