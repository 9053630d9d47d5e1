using Hubbub.Core.Seams;
using Hubbub.Protocol;

namespace Hubbub.Core.Connections;

/// <summary>
/// One connection's subscription to one channel. Until <see cref="Activate"/> it buffers live publications,
/// so that the reply, the recovered publications and the live ones reach the client in offset order with no
/// gap and no duplicate. Offsets grow by exactly 1, so anything else it is handed (another epoch, a jump) means
/// publications the client will never get: it is told with <c>stream_reset</c> before delivery goes on.
/// </summary>
public sealed class Subscription
{
    // The connection's send-queue lock guards the subscription too: every path here ends in enqueueing on that queue
    // (which takes the lock again; Lock is reentrant), nothing holding it takes a subscription's, and one lock fewer
    // is 40 bytes less per subscription, that is per idle connection on its user channel.
    private Lock _gate => Connection.SendGate;
    private List<Pending>? _pending = [];
    private long _lastOffset;

    internal Subscription(ClientConnection connection, string channel, bool presence)
    {
        Connection = connection;
        Channel = channel;
        Presence = presence;
    }

    /// <summary>The subscribed connection.</summary>
    public ClientConnection Connection { get; }

    /// <summary>The channel.</summary>
    public string Channel { get; }

    /// <summary>Whether the connection is counted in the channel's presence.</summary>
    public bool Presence { get; }

    /// <summary>The epoch the client was told; a publication of another epoch means the stream restarted.</summary>
    public string? Epoch { get; private set; }

    /// <summary>
    /// Delivers an ephemeral event (typing, cursor, presence). Before <see cref="Activate"/> it is dropped, not
    /// held: the reply must be the first frame of a subscription, and a moment-old typing or join event from
    /// before the client was in the channel is worth nothing (presence is read with <c>presence</c>).
    /// </summary>
    public void DeliverEphemeral(byte[] frame)
    {
        lock (_gate)
        {
            if (_pending is null)
            {
                Connection.TryEnqueue(frame);
            }
        }
    }

    /// <summary>Delivers a live publication (called by the broker's sink, possibly from another thread).</summary>
    public void Deliver(Publication publication)
    {
        lock (_gate)
        {
            if (_pending is not null)
            {
                _pending.Add(new Pending(publication, default));
                return;
            }
            SendLocked(publication);
        }
    }

    /// <summary>
    /// The broker cannot deliver the channel's publications up to <paramref name="position"/>: a client behind it
    /// gets <c>stream_reset</c> and goes on after it (see <see cref="IBrokerSink.OnStreamReset"/>).
    /// </summary>
    public void Reset(StreamTop position)
    {
        lock (_gate)
        {
            if (_pending is not null)
            {
                _pending.Add(new Pending(null, position));
                return;
            }
            ResetLocked(position);
        }
    }

    /// <summary>
    /// Sends the subscribe reply (none when the welcome carried it), then the recovered publications, then whatever
    /// arrived live meanwhile (skipping what was already sent), and switches to live delivery.
    /// </summary>
    public void Activate(byte[]? reply, StreamTop top, IReadOnlyList<Publication> recovered)
    {
        lock (_gate)
        {
            Epoch = top.Epoch;
            _lastOffset = top.Offset;
            if (reply is not null)
            {
                Connection.TryEnqueue(reply);
            }
            foreach (var publication in recovered)
            {
                Connection.TryEnqueue(publication.Frame, publication.PublishedTimestamp);
            }
            var pending = _pending!;
            _pending = null;
            // What arrived before the reply's epoch had been seen among them and is of another epoch came before the
            // stream top was read (an older epoch): the reply covers it. Anything after belongs to a newer stream.
            var pastReply = false;
            foreach (var item in pending)
            {
                var epoch = item.Publication?.Epoch ?? item.Position.Epoch;
                pastReply |= string.Equals(epoch, top.Epoch, StringComparison.Ordinal);
                if (!pastReply)
                {
                    continue;
                }
                if (item.Publication is { } publication)
                {
                    SendLocked(publication);
                }
                else
                {
                    ResetLocked(item.Position);
                }
            }
        }
    }

    private void SendLocked(Publication publication)
    {
        var sameEpoch = string.Equals(publication.Epoch, Epoch, StringComparison.Ordinal);
        if (sameEpoch && publication.Offset <= _lastOffset)
        {
            return; // already sent (in the reply's replay, or before)
        }
        if (!sameEpoch || publication.Offset > _lastOffset + 1)
        {
            // The stream restarted (offsets began again under a new epoch) or publications went missing: the
            // client must learn it instead of seeing a silent jump.
            ResetLocked(new StreamTop(publication.Offset - 1, publication.Epoch));
        }
        _lastOffset = publication.Offset;
        Connection.TryEnqueue(publication.Frame, publication.PublishedTimestamp);
    }

    private void ResetLocked(StreamTop position)
    {
        if (string.Equals(position.Epoch, Epoch, StringComparison.Ordinal) && position.Offset <= _lastOffset)
        {
            return; // the client is not behind it
        }
        Epoch = position.Epoch;
        _lastOffset = position.Offset;
        Connection.TryEnqueue(FrameWriter.StreamReset(Channel, position.Epoch, position.Offset));
    }

    /// <summary>What arrived before <see cref="Activate"/>: a publication, or (when it is null) a reset to a position.</summary>
    private readonly record struct Pending(Publication? Publication, StreamTop Position);
}
