using Hubbub.Core.Seams;
using Hubbub.Protocol;

namespace Hubbub.Core.Connections;

/// <summary>
/// One connection's subscription to one channel. Until <see cref="Activate"/> it buffers live publications,
/// so that the reply, the recovered publications and the live ones reach the client in offset order with no
/// gap and no duplicate.
/// </summary>
public sealed class Subscription
{
    private readonly Lock _gate = new();
    private List<Publication>? _pending = [];
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
                _pending.Add(publication);
                return;
            }
            if (!string.Equals(publication.Epoch, Epoch, StringComparison.Ordinal))
            {
                // The stream restarted under us (its history was lost). Offsets began again at 1, so the
                // client must learn it instead of seeing a silent jump backwards.
                Epoch = publication.Epoch;
                _lastOffset = publication.Offset - 1;
                Connection.TryEnqueue(FrameWriter.StreamReset(Channel, publication.Epoch));
            }
            if (publication.Offset <= _lastOffset)
            {
                return;
            }
            _lastOffset = publication.Offset;
            Connection.TryEnqueue(publication.Frame, publication.PublishedTimestamp);
        }
    }

    /// <summary>
    /// Sends the subscribe reply, then the recovered publications, then whatever arrived live meanwhile
    /// (skipping what was already sent), and switches to live delivery.
    /// </summary>
    public void Activate(byte[] reply, StreamTop top, IReadOnlyList<Publication> recovered)
    {
        lock (_gate)
        {
            Epoch = top.Epoch;
            _lastOffset = top.Offset;
            Connection.TryEnqueue(reply);
            foreach (var publication in recovered)
            {
                Connection.TryEnqueue(publication.Frame, publication.PublishedTimestamp);
            }
            var pending = _pending!;
            _pending = null;
            foreach (var publication in pending)
            {
                if (string.Equals(publication.Epoch, Epoch, StringComparison.Ordinal) && publication.Offset > _lastOffset)
                {
                    _lastOffset = publication.Offset;
                    Connection.TryEnqueue(publication.Frame, publication.PublishedTimestamp);
                }
            }
        }
    }
}
