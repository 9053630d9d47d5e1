using System.Collections.Concurrent;
using System.Diagnostics;
using Hubbub.Core.Seams;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Hubbub.Redis;

/// <summary>
/// Moves publications between nodes through Redis. <see cref="PublishAsync"/> runs publish.lua, which assigns
/// the offset, appends to the channel's history stream and PUBLISHes in one atomic step. Every node, the
/// publishing one included, delivers to its local subscribers from its pub/sub subscription, never directly:
/// one path means each publication reaches a subscriber exactly once and in offset order, even when
/// publications from other nodes interleave with local ones (a local shortcut could overtake them).
/// </summary>
public sealed class RedisBroker : IBroker
{
    private const int Stripes = 64;
    private const int MaxGapFill = 10_000;

    private readonly RedisConnection _redis;
    private readonly RedisHistoryStore _history;
    private readonly IBrokerSink _sink;
    private readonly TimeProvider _time;
    private readonly ILogger<RedisBroker> _logger;
    private readonly ConcurrentDictionary<string, ChannelState> _channels = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim[] _stripes = Enumerable.Range(0, Stripes).Select(_ => new SemaphoreSlim(1, 1)).ToArray();

    /// <summary>Creates the broker; it delivers what arrives for this node's channels to <paramref name="sink"/>.</summary>
    public RedisBroker(RedisConnection redis, RedisHistoryStore history, IBrokerSink sink, TimeProvider time,
        ILogger<RedisBroker> logger)
    {
        _redis = redis;
        _history = history;
        _sink = sink;
        _time = time;
        _logger = logger;
        _redis.SubscriptionRestored += () => _ = CatchUpAllAsync();
    }

    /// <inheritdoc />
    public async ValueTask<Publication> PublishAsync(string channel, PublicationDraft draft, HistoryPolicy policy,
        CancellationToken cancellationToken = default)
    {
        var db = await _redis.GetDatabaseAsync();
        // Not cancellable once sent: the script either ran (the publication exists) or it did not.
        var result = await db.ScriptEvaluateAsync(LuaScripts.Publish, _redis.Routing.History(channel),
        [
            _redis.Routing.PubSubName(channel),
            MessageCodec.EncodeDraft(draft),
            RedisHistoryStore.NewEpoch(),
            Math.Max(0, policy.Size),
            _time.GetUtcNow().ToUnixTimeMilliseconds(),
            (long)Math.Max(0, policy.Ttl.TotalMilliseconds),
            RedisHistoryStore.MetaTtlMs(_redis.Options, policy.Ttl),
        ]);
        var parts = (RedisResult[])result!;
        return new Publication(channel, (long)parts[0], (string)parts[1]!, draft, Stopwatch.GetTimestamp());
    }

    /// <inheritdoc />
    public async ValueTask PublishEphemeralAsync(string channel, EphemeralEvent ephemeral, CancellationToken cancellationToken = default)
    {
        var multiplexer = await _redis.GetAsync();
        await multiplexer.GetSubscriber().PublishAsync(_redis.Routing.PubSub(channel), MessageCodec.EncodeEphemeral(ephemeral));
    }

    /// <inheritdoc />
    public async ValueTask SubscribeAsync(string channel, CancellationToken cancellationToken = default)
    {
        // Subscribe and unsubscribe of one channel are serialized, so a quick last-leaves/first-joins pair can
        // never end unsubscribed. The wait is not cancellable: the engine pairs every call with an unsubscribe.
        var gate = Stripe(channel);
        await gate.WaitAsync(CancellationToken.None);
        try
        {
            if (_channels.TryGetValue(channel, out var existing))
            {
                existing.Wanted++;
                return;
            }
            var state = new ChannelState(channel);
            var multiplexer = await _redis.GetAsync();
            // Returns once Redis confirmed the subscription: the engine reads history only after this, so
            // nothing published in between is missed. The queue hands messages over one at a time, in order.
            var queue = await multiplexer.GetSubscriber().SubscribeAsync(_redis.Routing.PubSub(channel));
            queue.OnMessage(message => OnMessageAsync(state, message));
            state.Queue = queue;
            _channels[channel] = state;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <inheritdoc />
    public async ValueTask UnsubscribeAsync(string channel, CancellationToken cancellationToken = default)
    {
        var gate = Stripe(channel);
        await gate.WaitAsync(CancellationToken.None);
        try
        {
            if (!_channels.TryGetValue(channel, out var state) || --state.Wanted > 0)
            {
                return;
            }
            _channels.TryRemove(channel, out _);
            if (state.Queue is { } queue)
            {
                await queue.UnsubscribeAsync();
            }
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task OnMessageAsync(ChannelState state, ChannelMessage message)
    {
        try
        {
            var bytes = (byte[]?)message.Message;
            if (bytes is not { Length: > 0 })
            {
                return;
            }
            if (bytes[0] == MessageCodec.EphemeralKind)
            {
                _sink.OnEphemeral(state.Channel, MessageCodec.DecodeEphemeral(bytes));
                return;
            }
            var (offset, epoch, draft) = MessageCodec.DecodePublished(bytes);
            await state.Gate.WaitAsync();
            try
            {
                AdoptEpoch(state, epoch);
                if (state.Epoch is not null)
                {
                    if (offset <= state.Offset)
                    {
                        return; // already delivered by a catch-up
                    }
                    if (offset > state.Offset + 1)
                    {
                        await FillGapAsync(state, offset - 1);
                    }
                }
                Deliver(state, new Publication(state.Channel, offset, epoch, draft, Stopwatch.GetTimestamp()));
            }
            finally
            {
                state.Gate.Release();
            }
        }
        catch (Exception ex)
        {
            Log.MessageFailed(_logger, ex, state.Channel);
        }
    }

    private void Deliver(ChannelState state, Publication publication)
    {
        state.Epoch = publication.Epoch;
        state.Offset = publication.Offset;
        _sink.OnPublication(publication);
    }

    /// <summary>
    /// Pub/sub loses what is published while a node's subscription is down. The stream still holds it, so the
    /// missing offsets are read from history and delivered first, keeping every subscriber gap-free.
    /// </summary>
    private async Task FillGapAsync(ChannelState state, long upTo)
    {
        var from = state.Offset;
        var history = await _history.ReadAsync(state.Channel, from, state.Epoch, (int)Math.Min(upTo - from, MaxGapFill));
        if (!history.Complete)
        {
            Log.GapLost(_logger, state.Channel, from + 1, upTo);
        }
        foreach (var publication in history.Publications)
        {
            if (publication.Offset > state.Offset && publication.Offset <= upTo)
            {
                Deliver(state, publication);
            }
        }
        Log.GapFilled(_logger, state.Channel, from + 1, upTo);
    }

    /// <summary>After the pub/sub connection comes back, delivers what every channel missed meanwhile.</summary>
    private async Task CatchUpAllAsync()
    {
        foreach (var state in _channels.Values)
        {
            await state.Gate.WaitAsync();
            try
            {
                if (state.Epoch is null)
                {
                    continue;
                }
                var top = await _history.GetTopAsync(state.Channel);
                AdoptEpoch(state, top.Epoch);
                if (top.Offset > state.Offset)
                {
                    await FillGapAsync(state, top.Offset);
                }
            }
            catch (Exception ex)
            {
                Log.CatchUpFailed(_logger, ex, state.Channel);
            }
            finally
            {
                state.Gate.Release();
            }
        }
    }

    private SemaphoreSlim Stripe(string channel) =>
        _stripes[(StringComparer.Ordinal.GetHashCode(channel) & int.MaxValue) % Stripes];

    /// <summary>
    /// A publication or stream top of another epoch than the one followed means the stream restarted (Redis lost
    /// it): its offsets are delivered from 1 again, and subscribers get <c>stream_reset</c> with the first of them.
    /// </summary>
    private static void AdoptEpoch(ChannelState state, string epoch)
    {
        if (state.Epoch is not null && !string.Equals(epoch, state.Epoch, StringComparison.Ordinal))
        {
            state.Epoch = epoch;
            state.Offset = 0;
        }
    }

    private sealed class ChannelState(string channel)
    {
        public string Channel { get; } = channel;
        public SemaphoreSlim Gate { get; } = new(1, 1);
        public ChannelMessageQueue? Queue { get; set; }
        public int Wanted { get; set; } = 1;
        public string? Epoch { get; set; }
        public long Offset { get; set; }
    }
}
