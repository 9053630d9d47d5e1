using Hubbub.Core.Diagnostics;
using Hubbub.Protocol;

namespace Hubbub.Core.Connections;

/// <summary>
/// A request's reply goes out before what the request published (the protocol's example: a publisher subscribed
/// to its channel gets <c>reply {offset}</c>, then its own copy of the message). The reader marks a request that
/// may publish (<see cref="BeginRequest"/>); from the moment it publishes (<see cref="HoldForReply"/>) frames queued
/// to this connection wait behind the reply, which <see cref="EndRequest"/> puts ahead of them. Frames queued
/// before the request published are sent meanwhile, and a close is never held. Holding starts at the publication,
/// not with the request, so a command's database work does not hold the connection's other traffic.
/// </summary>
public sealed partial class ClientConnection
{
    /// <summary>The reader starts a request that may publish; <paramref name="hold"/> starts holding at once.</summary>
    internal void BeginRequest(bool hold = false)
    {
        lock (_sendGate)
        {
            _inRequest = true;
            if (hold)
            {
                HoldLocked();
            }
        }
    }

    /// <summary>The request is about to publish: frames queued from now on wait for its reply. Outside a request, nothing.</summary>
    internal void HoldForReply()
    {
        lock (_sendGate)
        {
            if (_inRequest && !_holding)
            {
                HoldLocked();
            }
        }
    }

    /// <summary>
    /// Ends the request: <paramref name="reply"/> (when given) is queued ahead of every frame queued since it started
    /// publishing (at the end when it did not), then those frames follow.
    /// </summary>
    internal void EndRequest(byte[]? reply)
    {
        bool startDrain;
        var full = false;
        (int Frames, long Bytes) queued = default;
        lock (_sendGate)
        {
            _inRequest = false;
            if (reply is not null && _closeCode == 0)
            {
                full = !FitsLocked(reply.Length);
                if (full)
                {
                    queued = (_pendingCount + 1, _pendingBytes + _sendingBytes + reply.Length);
                }
                else
                {
                    InsertLocked(_holding ? Math.Min(_holdMark, _pendingCount) : _pendingCount, new OutFrame(reply, 0));
                }
            }
            _holding = false;
            startDrain = full
                ? CloseLocked(CloseCodes.SlowConsumer, "slow consumer", dropQueued: true)
                : _pendingCount > 0 && !_drainScheduled;
            _drainScheduled |= startDrain;
        }
        if (full)
        {
            ReportSlowConsumer(queued);
        }
        if (startDrain)
        {
            StartDrain();
        }
    }

    private void HoldLocked()
    {
        _holding = true;
        _holdMark = _pendingCount;
    }

    /// <summary>
    /// While holding: moves the frames queued before the hold into the send array and the held ones to the front of
    /// the queue, and returns how many are to be sent. Under <c>_sendGate</c>, with <c>_holdMark</c> above zero.
    /// </summary>
    private int TakeAheadOfHoldLocked()
    {
        var count = _holdMark;
        if (_sending.Length < count)
        {
            _sending = new OutFrame[Math.Max(4, count)];
        }
        Array.Copy(_pending, 0, _sending, 0, count);
        long bytes = 0;
        for (var i = 0; i < count; i++)
        {
            bytes += _pending[i].Bytes.Length;
        }
        _sendingBytes = bytes;
        _pendingBytes -= bytes;
        Array.Copy(_pending, count, _pending, 0, _pendingCount - count);
        Array.Clear(_pending, _pendingCount - count, count);
        _pendingCount -= count;
        _holdMark = 0;
        return count;
    }

    /// <summary>Answers a request that has nothing to return with an empty reply; a request without an id gets none.</summary>
    internal void ReplyEmpty(string? rawId)
    {
        if (rawId is not null)
        {
            TryEnqueue(FrameWriter.ReplyRaw(rawId, "{}"u8));
        }
    }
}
