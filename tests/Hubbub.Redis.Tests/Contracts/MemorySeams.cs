using Hubbub.Core.Memory;
using Hubbub.Redis.Tests.Infrastructure;

namespace Hubbub.Redis.Tests.Contracts;

/// <summary>Builds the in-memory seams the way Hubbub.Core wires them.</summary>
public static class MemorySeams
{
    /// <summary>A single in-memory node.</summary>
    public static SeamNode Node(TimeProvider time)
    {
        var history = new MemoryHistoryStore(time);
        var sink = new RecordingSink();
        return new SeamNode(new MemoryBroker(history, sink), history, sink);
    }
}
