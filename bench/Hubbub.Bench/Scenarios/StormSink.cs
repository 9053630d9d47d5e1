using System.Diagnostics;
using System.Text;
using Hubbub.Bench.Clients;

namespace Hubbub.Bench.Scenarios;

/// <summary>
/// Follows each storm client's stream: the epoch and offset from its subscribe reply, then every publication's
/// offset, counting gaps (an offset skipped), duplicates (an offset seen again) and when the client reached
/// the target offset (everything it missed).
/// </summary>
public sealed class StormSink : IFrameSink
{
    private static readonly byte[] ReplyPrefix = """{"type":"reply","id":1,"""u8.ToArray();
    private static readonly byte[] MessagePrefix = """{"type":"message","""u8.ToArray();
    private readonly long[] _last;
    private readonly long[] _reachedAt;
    private readonly string?[] _epochs;
    private long _gaps;
    private long _duplicates;
    private long _notRecovered;
    private long _missedDelivered;
    private long _target = long.MaxValue;
    private long _missedFrom = long.MaxValue;
    private int _reached;

    /// <summary>Creates state for <paramref name="clients"/> clients.</summary>
    public StormSink(int clients)
    {
        _last = new long[clients];
        _reachedAt = new long[clients];
        _epochs = new string?[clients];
    }

    /// <summary>Offsets skipped, over all clients.</summary>
    public long Gaps => Interlocked.Read(ref _gaps);

    /// <summary>Offsets received twice, over all clients.</summary>
    public long Duplicates => Interlocked.Read(ref _duplicates);

    /// <summary>Subscribe replies with <c>recovered:false</c>.</summary>
    public long NotRecovered => Interlocked.Read(ref _notRecovered);

    /// <summary>Publications in the missed range delivered after reconnecting.</summary>
    public long MissedDelivered => Interlocked.Read(ref _missedDelivered);

    /// <summary>Clients that reached the target offset.</summary>
    public int Reached => Volatile.Read(ref _reached);

    /// <summary>Client <paramref name="index"/>'s last offset.</summary>
    public long LastOffset(int index) => Volatile.Read(ref _last[index]);

    /// <summary>Client <paramref name="index"/>'s epoch from its subscribe reply.</summary>
    public string? Epoch(int index) => Volatile.Read(ref _epochs[index]);

    /// <summary>When client <paramref name="index"/> reached the target (a <see cref="Stopwatch"/> timestamp), or 0.</summary>
    public long ReachedAt(int index) => Volatile.Read(ref _reachedAt[index]);

    /// <summary>Starts watching for offsets from <paramref name="missedFrom"/> up to <paramref name="target"/>.</summary>
    public void Expect(long missedFrom, long target)
    {
        Interlocked.Exchange(ref _missedFrom, missedFrom);
        Interlocked.Exchange(ref _target, target);
    }

    /// <inheritdoc />
    public void OnFrame(int index, ReadOnlySpan<byte> frame)
    {
        if (frame.StartsWith(ReplyPrefix))
        {
            if (frame.IndexOf("\"recovered\":false"u8) >= 0)
            {
                Interlocked.Increment(ref _notRecovered);
            }
            var at = frame.IndexOf("\"epoch\":\""u8);
            if (at >= 0)
            {
                var rest = frame[(at + 9)..];
                Volatile.Write(ref _epochs[index], Encoding.UTF8.GetString(rest[..rest.IndexOf((byte)'"')]));
            }
            if (_epochs[index] is not null && _last[index] == 0 && Payload.TryNumber(frame, "\"offset\":"u8, out var top))
            {
                Volatile.Write(ref _last[index], top);
            }
            return;
        }
        if (!frame.StartsWith(MessagePrefix) || !Payload.TryNumber(frame, "\"offset\":"u8, out var offset))
        {
            return;
        }
        var last = _last[index];
        if (offset <= last)
        {
            Interlocked.Increment(ref _duplicates);
            return;
        }
        if (offset > last + 1)
        {
            Interlocked.Add(ref _gaps, offset - last - 1);
        }
        Volatile.Write(ref _last[index], offset);
        if (offset >= Interlocked.Read(ref _missedFrom) && offset <= Interlocked.Read(ref _target))
        {
            Interlocked.Increment(ref _missedDelivered);
        }
        if (offset >= Interlocked.Read(ref _target) && _reachedAt[index] == 0)
        {
            Volatile.Write(ref _reachedAt[index], Stopwatch.GetTimestamp());
            Interlocked.Increment(ref _reached);
        }
    }

    /// <inheritdoc />
    public void OnClosed(int index)
    {
    }
}
