using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading.Channels;
using Hubbub.Protocol;

namespace Hubbub.Client;

/// <summary>
/// A channel subscription that survives reconnects. Publications arrive in offset order, each once, across
/// connection losses: after a reconnect the client resubscribes with <c>since</c> = the last offset and epoch it
/// delivered, the server replays what was missed, and anything already delivered is dropped by offset. When the
/// server cannot replay (history gone, stream restarted) a <see cref="HubbubEventKind.ReloadRequired"/> event says so.
/// Read events either with <see cref="ReadAllAsync"/> (one reader) or the <see cref="Received"/> event.
/// </summary>
public sealed class HubbubSubscription
{
    private readonly HubbubClient _client;
    private readonly Channel<HubbubEvent>? _buffer;
    private readonly TaskCompletionSource _subscribed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal HubbubSubscription(HubbubClient client, string channel, bool buffered)
    {
        _client = client;
        Channel = channel;
        if (buffered)
        {
            _buffer = System.Threading.Channels.Channel.CreateUnbounded<HubbubEvent>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        }
    }

    /// <summary>The channel name.</summary>
    public string Channel { get; }

    /// <summary>The offset of the last publication delivered (or the channel's offset when subscribing).</summary>
    public long Offset { get; private set; }

    /// <summary>The epoch <see cref="Offset"/> belongs to; null until the first subscribe reply.</summary>
    public string? Epoch { get; private set; }

    /// <summary>
    /// Every event of the channel, on the client's reader loop, in order. Keep handlers short: the next frame waits
    /// for them. An exception thrown here is logged and does not stop delivery.
    /// </summary>
    public event EventHandler<HubbubEvent>? Received;

    /// <summary>Raised (besides <see cref="Received"/>) when the channel's missed publications could not be recovered: reload the state.</summary>
    public event EventHandler<HubbubEvent>? ReloadRequired;

    internal Task Subscribed => _subscribed.Task;

    internal bool Closed { get; private set; }

    /// <summary>
    /// Streams every event of the channel in order until the subscription ends (unsubscribe, client disposed) or
    /// <paramref name="ct"/> fires. Events are buffered from the moment of subscribing, so none is missed between
    /// <c>SubscribeAsync</c> and the first read. One reader at a time.
    /// </summary>
    public async IAsyncEnumerable<HubbubEvent> ReadAllAsync([EnumeratorCancellation] CancellationToken ct = default)
    {
        if (_buffer is null)
        {
            throw new InvalidOperationException("This subscription was made with buffering off; use the Received event.");
        }
        while (await _buffer.Reader.WaitToReadAsync(ct))
        {
            while (_buffer.Reader.TryRead(out var item))
            {
                yield return item;
            }
        }
    }

    /// <summary>Publishes <paramref name="data"/> on this channel; returns its offset.</summary>
    public Task<long> PublishAsync(JsonElement data, string? eventType = null, CancellationToken ct = default) =>
        _client.PublishAsync(Channel, data, eventType, ct);

    /// <summary>Publishes <paramref name="data"/> (serialized with <see cref="HubbubClientOptions.JsonOptions"/>); returns its offset.</summary>
    public Task<long> PublishAsync<T>(T data, string? eventType = null, CancellationToken ct = default) =>
        _client.PublishAsync(Channel, data, eventType, ct);

    /// <summary>The channel's latest publications (up to <paramref name="limit"/>), or those after <paramref name="since"/>.</summary>
    public Task<HubbubHistory> HistoryAsync(int? limit = null, StreamPosition? since = null, CancellationToken ct = default) =>
        _client.HistoryAsync(Channel, limit, since, ct);

    /// <summary>Who is in the channel.</summary>
    public Task<IReadOnlyList<PresenceMember>> PresenceAsync(CancellationToken ct = default) => _client.PresenceAsync(Channel, ct);

    /// <summary>Tells the others this user is (or stopped) typing.</summary>
    public Task TypingAsync(bool isTyping, CancellationToken ct = default) => _client.TypingAsync(Channel, isTyping, ct);

    /// <summary>Shares this user's cursor position (any JSON object, e.g. <c>{x, y}</c>).</summary>
    public Task CursorAsync<T>(T position, CancellationToken ct = default) => _client.CursorAsync(Channel, position, ct);

    /// <summary>Leaves the channel; the stream ends.</summary>
    public Task UnsubscribeAsync(CancellationToken ct = default) => _client.UnsubscribeAsync(this, ct);

    /// <summary>The <c>since</c> to resubscribe with, or null before the first reply.</summary>
    internal StreamPosition? Position => Epoch is null ? null : new StreamPosition(Offset, Epoch);

    /// <summary>Applies a subscribe reply (on the reader loop, before any publication that follows it).</summary>
    internal void OnSubscribed(SubscribeReply reply, Action<Exception> report)
    {
        if (reply.Recovered == false)
        {
            Epoch = reply.Epoch;
            Offset = reply.Offset;
            Deliver(new HubbubEvent(HubbubEventKind.ReloadRequired, Channel, HubbubEvent.NotRecovered, reply.Offset, reply.Epoch, default, null), report);
        }
        else if (reply.Recovered is null)
        {
            Epoch = reply.Epoch;
            Offset = reply.Offset;
        }
        // recovered:true: the position stays; the replayed publications that follow advance it.
        _subscribed.TrySetResult();
    }

    /// <summary>A publication or ephemeral event arrived. Returns false when a publication was a duplicate and dropped.</summary>
    internal bool OnEvent(ServerFrame frame, Action<Exception> report, out long? gapFrom)
    {
        gapFrom = null;
        if (frame.Offset is { } offset)
        {
            if (offset <= Offset)
            {
                return false; // already delivered before the reconnect: dedupe by offset
            }
            if (offset != Offset + 1)
            {
                gapFrom = Offset + 1;
            }
            Offset = offset;
            Deliver(new HubbubEvent(HubbubEventKind.Publication, Channel, frame.Type, offset, Epoch, frame.Data, frame.From), report);
        }
        else
        {
            Deliver(new HubbubEvent(HubbubEventKind.Ephemeral, Channel, frame.Type, null, Epoch, frame.Data, frame.From), report);
        }
        return true;
    }

    /// <summary>The server restarted the channel's stream under a new epoch.</summary>
    internal void OnStreamReset(string epoch, Action<Exception> report)
    {
        Epoch = epoch;
        Offset = 0;
        Deliver(new HubbubEvent(HubbubEventKind.ReloadRequired, Channel, MessageTypes.StreamReset, 0, epoch, default, null), report);
    }

    /// <summary>The subscription ended: the stream completes (with <paramref name="error"/> when it failed).</summary>
    internal void Close(Exception? error)
    {
        Closed = true;
        if (error is null)
        {
            _subscribed.TrySetCanceled();
        }
        else
        {
            _subscribed.TrySetException(error);
            _ = _subscribed.Task.Exception; // a restored subscription has no awaiter; its stream carries the error
        }
        _buffer?.Writer.TryComplete(error);
    }

    private void Deliver(HubbubEvent item, Action<Exception> report)
    {
        _buffer?.Writer.TryWrite(item);
        try
        {
            Received?.Invoke(this, item);
            if (item.Kind == HubbubEventKind.ReloadRequired)
            {
                ReloadRequired?.Invoke(this, item);
            }
        }
        catch (Exception ex)
        {
            report(ex);
        }
    }
}
