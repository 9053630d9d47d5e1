namespace Hubbub.Bench.Clients;

/// <summary>
/// Where a Hubbub server's memory is, from one reading of its <c>/metrics</c>: what the garbage collector has committed and
/// what its generations held after the last collection (fragmentation included), the pinned heap (where Kestrel's 4 KiB
/// transport blocks live), Kestrel's memory pool (blocks it ever allocated, and those pooled now), the thread pool's
/// threads and the bytes allocated so far. Read before and after an idle hold, it says which of these an RSS change came
/// from. NaN for a figure the server does not report.
/// </summary>
/// <param name="Committed">Bytes the GC had committed at its last collection.</param>
/// <param name="Gen2">Gen2's size after the last collection, its free space included.</param>
/// <param name="Fragmentation">Free space inside the generations after the last collection (all of them).</param>
/// <param name="Pinned">The pinned object heap's size after the last collection.</param>
/// <param name="PoolAllocated">Bytes Kestrel's memory pool has allocated since start (it allocates when none is pooled).</param>
/// <param name="PoolPooled">Bytes Kestrel's memory pool holds for reuse now.</param>
/// <param name="ThreadPoolThreads">The thread pool's threads.</param>
/// <param name="Allocated">Bytes allocated on the GC heap since start.</param>
public sealed record ServerMemoryFigures(double Committed, double Gen2, double Fragmentation, double Pinned, double PoolAllocated,
    double PoolPooled, double ThreadPoolThreads, double Allocated)
{
    /// <summary>Reads the figures now.</summary>
    public static async Task<ServerMemoryFigures> ReadAsync(ServerApi api, CancellationToken cancellationToken) =>
        Of(await MetricSamples.ReadAsync(api, cancellationToken));

    /// <summary>The figures of one reading of the server's metrics.</summary>
    public static ServerMemoryFigures Of(MetricSamples metrics)
    {
        double committed = double.NaN, gen2 = double.NaN, pinned = double.NaN, poolAllocated = double.NaN, poolPooled = double.NaN,
            threads = double.NaN, allocated = double.NaN, fragmentation = 0;
        foreach (var (series, value) in metrics.All)
        {
            switch (series)
            {
                case "system_runtime_dotnet_gc_last_collection_memory_committed_size": committed = value; break;
                case "system_runtime_dotnet_gc_last_collection_heap_size{gc_heap_generation=\"gen2\"}": gen2 = value; break;
                case "system_runtime_dotnet_gc_last_collection_heap_size{gc_heap_generation=\"poh\"}": pinned = value; break;
                case "system_runtime_dotnet_thread_pool_thread_count": threads = value; break;
                case "system_runtime_dotnet_gc_heap_total_allocated": allocated = value; break;
                case "microsoft_aspnetcore_memorypool_aspnetcore_memory_pool_allocated{aspnetcore_memory_pool_owner=\"kestrel\"}":
                    poolAllocated = value;
                    break;
                case "microsoft_aspnetcore_memorypool_aspnetcore_memory_pool_pooled{aspnetcore_memory_pool_owner=\"kestrel\"}":
                    poolPooled = value;
                    break;
                default:
                    if (series.StartsWith("system_runtime_dotnet_gc_last_collection_heap_fragmentation_size{", StringComparison.Ordinal))
                    {
                        fragmentation += value;
                    }
                    break;
            }
        }
        return new ServerMemoryFigures(committed, gen2, fragmentation, pinned, poolAllocated, poolPooled, threads, allocated);
    }
}
