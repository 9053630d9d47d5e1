using System.Collections.Concurrent;
using System.Diagnostics;
using Hubbub.Core;
using Hubbub.Core.Publishing;
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
public sealed class RedisBroker : IBroker, IMultiPublishBroker, ISequencedBroker
{
    private const int Stripes = 64;
    private const int GapFillBatch = 1_000;
    private static readonly TimeSpan CatchUpRetry = TimeSpan.FromSeconds(1);

    /// <summary>The longest pause between two looks at a held publication (<see cref="PublishInOrderAsync"/>).</summary>
    private static readonly TimeSpan MaxHeldPoll = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// How long Redis keeps held publications (ms): their node forces them out after <see cref="RedisOptions.OrderWaitMs"/>;
    /// this only clears those of a node that died while waiting (its outbox publishes them again after its lease).
    /// </summary>
    private const long HeldTtlMs = 60_000;

    private readonly RedisConnection _redis;
    private readonly RedisHistoryStore _history;
    private readonly IBrokerSink _sink;
    private readonly TimeProvider _time;
    private readonly ILogger<RedisBroker> _logger;
    private readonly ConcurrentDictionary<string, ChannelState> _channels = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim[] _stripes = Enumerable.Range(0, Stripes).Select(_ => new SemaphoreSlim(1, 1)).ToArray();
    private int _catchUpScheduled;

    /// <summary>Creates the broker; it delivers what arrives for this node's channels to <paramref name="sink"/>.</summary>
    public RedisBroker(RedisConnection redis, RedisHistoryStore history, IBrokerSink sink, TimeProvider time,
        ILogger<RedisBroker> logger)
    {
        _redis = redis;
        _history = history;
        _sink = sink;
        _time = time;
        _logger = logger;
        _redis.SubscriptionRestored += OnSubscriptionRestored;
    }

    /// <inheritdoc />
    public async ValueTask<Publication> PublishAsync(string channel, PublicationDraft draft, HistoryPolicy policy,
        CancellationToken cancellationToken = default)
    {
        var keys = _redis.Routing.History(channel);
        RedisValue[] args =
        [
            _redis.Routing.PubSubName(channel),
            MessageCodec.EncodeDraft(draft),
            RedisHistoryStore.NewEpoch(),
            Math.Max(0, policy.Size),
            _time.GetUtcNow().ToUnixTimeMilliseconds(),
            (long)Math.Max(0, policy.Ttl.TotalMilliseconds),
            RedisHistoryStore.MetaTtlMs(_redis.Options, policy.Ttl),
        ];
        // The script is sent on the one interactive connection before the first wait (IBroker's ordering promise:
        // publications started one after the other run in that order in Redis, even when nobody waits between them).
        // Not cancellable once sent: the script either ran (the publication exists) or it did not. While Redis is
        // away it is refused at once rather than queued: acknowledged late, into a stream that may have restarted,
        // it would reach a client that gave up on it long before.
        var result = await _redis.ExecuteAsync(m => m.GetDatabase().ScriptEvaluateAsync(LuaScripts.Publish, keys, args));
        var parts = (RedisResult[])result!;
        return new Publication(channel, (long)parts[0], (string)parts[1]!, draft, Stopwatch.GetTimestamp());
    }

    /// <inheritdoc />
    public async ValueTask<long> PublishAllAsync(string channel, IReadOnlyList<PublicationDraft> drafts, HistoryPolicy policy,
        CancellationToken cancellationToken = default)
    {
        var keys = _redis.Routing.History(channel);
        var args = PublishArgs(channel, drafts, policy, extra: 0);
        // One script for all, sent like PublishAsync's (before the first wait, not cancellable once sent): they are
        // published together or, when it fails before running, not at all.
        var result = await _redis.ExecuteAsync(m => m.GetDatabase().ScriptEvaluateAsync(LuaScripts.PublishMany, keys, args));
        return (long)((RedisResult[])result!)[0];
    }

    /// <inheritdoc />
    public async ValueTask PublishInOrderAsync(string channel, IReadOnlyList<PublicationDraft> drafts, HistoryPolicy policy, long sequence,
        CancellationToken cancellationToken = default)
    {
        var keys = _redis.Routing.Ordered(channel);
        var args = PublishArgs(channel, drafts, policy, extra: 3);
        args[6] = sequence;
        args[7] = 0; // 1: force (publish it and every one held before it)
        args[8] = HeldTtlMs;
        // Sent like PublishAllAsync's (before the first wait, not cancellable once sent).
        var result = await _redis.ExecuteAsync(m => m.GetDatabase().ScriptEvaluateAsync(LuaScripts.PublishOrdered, keys, args));
        if ((long)((RedisResult[])result!)[0] != 0)
        {
            return;
        }
        // Held: an earlier transaction's publication has not arrived. Its node committed before this one and is publishing
        // right now, so it mostly arrives within milliseconds and releases this one in the same script: looked for with
        // one cheap HEXISTS at growing intervals, then forced out after the bound.
        var field = (RedisValue)sequence;
        var started = Stopwatch.GetTimestamp();
        var bound = TimeSpan.FromMilliseconds(_redis.Options.OrderWaitMs);
        for (var delay = TimeSpan.FromMilliseconds(1); Stopwatch.GetElapsedTime(started) < bound; delay = Min(delay * 2, MaxHeldPoll))
        {
            await Task.Delay(Min(delay, bound - Stopwatch.GetElapsedTime(started)), CancellationToken.None);
            if (!await _redis.ExecuteAsync(m => m.GetDatabase().HashExistsAsync(keys[2], field)))
            {
                return; // released by the one before it
            }
        }
        args[3] = _time.GetUtcNow().ToUnixTimeMilliseconds();
        args[7] = 1;
        result = await _redis.ExecuteAsync(m => m.GetDatabase().ScriptEvaluateAsync(LuaScripts.PublishOrdered, keys, args[..9]));
        if ((long)((RedisResult[])result!)[0] == 1)
        {
            Log.OrderGivenUp(_logger, channel, sequence, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    /// <summary>
    /// The arguments of the scripts that publish a channel's drafts: its pub/sub name, an epoch for a channel that starts
    /// over, the history's size, now, the history's and the stream position's lifetimes; then <paramref name="extra"/>
    /// slots the script's caller fills; then the drafts.
    /// </summary>
    private RedisValue[] PublishArgs(string channel, IReadOnlyList<PublicationDraft> drafts, HistoryPolicy policy, int extra)
    {
        var args = new RedisValue[6 + extra + drafts.Count];
        args[0] = _redis.Routing.PubSubName(channel);
        args[1] = RedisHistoryStore.NewEpoch();
        args[2] = Math.Max(0, policy.Size);
        args[3] = _time.GetUtcNow().ToUnixTimeMilliseconds();
        args[4] = (long)Math.Max(0, policy.Ttl.TotalMilliseconds);
        args[5] = RedisHistoryStore.MetaTtlMs(_redis.Options, policy.Ttl);
        for (var i = 0; i < drafts.Count; i++)
        {
            args[6 + extra + i] = MessageCodec.EncodeDraft(drafts[i]);
        }
        return args;
    }

    /// <inheritdoc />
    public async ValueTask PublishEphemeralAsync(string channel, EphemeralEvent ephemeral, CancellationToken cancellationToken = default)
    {
        var pubSub = _redis.Routing.PubSub(channel);
        var message = MessageCodec.EncodeEphemeral(ephemeral);
        await _redis.ExecuteAsync(m => m.GetSubscriber().PublishAsync(pubSub, message));
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
            var pubSub = _redis.Routing.PubSub(channel);
            // Returns once Redis confirmed the subscription: the engine reads history only after this, so
            // nothing published in between is missed. The queue hands messages over one at a time, in order.
            ChannelMessageQueue queue;
            try
            {
                queue = await _redis.ExecuteAsync(m => m.GetSubscriber().SubscribeAsync(pubSub));
            }
            catch (HubbubException)
            {
                // Not subscribed after all: the client library must not keep (and later restore) a subscription
                // whose queue nobody reads.
                _ = ForgetSubscriptionAsync(pubSub);
                throw;
            }
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
                try
                {
                    await queue.UnsubscribeAsync();
                }
                catch (RedisException)
                {
                    // Redis is away: the subscription is already forgotten here, so it is not restored when Redis
                    // comes back, and a new connection drops it on the Redis side.
                }
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
            // Most likely the gap could not be read (Redis went away again): the channel's next catch-up delivers
            // what this message and the ones before it brought.
            ScheduleCatchUp(CatchUpRetry);
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
    /// missing offsets up to <paramref name="upTo"/> are read from history and delivered first, keeping every
    /// subscriber gap-free. What history no longer holds (trimmed, expired, kept by no history, or lost with a
    /// Redis restart) is announced instead: subscribers get <c>stream_reset</c> saying where delivery goes on.
    /// </summary>
    private async Task FillGapAsync(ChannelState state, long upTo)
    {
        var from = state.Offset;
        var filled = 0;
        while (state.Offset < upTo)
        {
            var history = await _history.ReadAsync(state.Channel, state.Offset, state.Epoch,
                (int)Math.Min(upTo - state.Offset, GapFillBatch), failFast: false);
            var delivered = false;
            foreach (var publication in history.Publications)
            {
                if (publication.Offset <= state.Offset || publication.Offset > upTo)
                {
                    continue;
                }
                if (publication.Offset > state.Offset + 1)
                {
                    // The oldest of what was missed is gone from history.
                    Skip(state, publication.Offset - 1);
                }
                Deliver(state, publication);
                delivered = true;
                filled++;
            }
            if (!delivered)
            {
                break;
            }
        }
        if (state.Offset < upTo)
        {
            Skip(state, upTo);
        }
        if (filled > 0)
        {
            Log.GapFilled(_logger, state.Channel, filled, from + 1, upTo);
        }
    }

    /// <summary>Offsets up to <paramref name="upTo"/> cannot be delivered: subscribers are told, and delivery goes on after it.</summary>
    private void Skip(ChannelState state, long upTo)
    {
        Log.GapLost(_logger, state.Channel, state.Offset + 1, upTo);
        state.Offset = upTo;
        _sink.OnStreamReset(state.Channel, new StreamTop(upTo, state.Epoch!));
    }

    private void OnSubscriptionRestored()
    {
        // Once at once, and once more a moment later: should the client library announce the reconnection before
        // its re-subscriptions took effect, what was published in between is still caught.
        ScheduleCatchUp(TimeSpan.Zero);
        _ = Task.Delay(CatchUpRetry).ContinueWith(_ => ScheduleCatchUp(TimeSpan.Zero), TaskScheduler.Default);
    }

    /// <summary>Runs <see cref="CatchUpAllAsync"/> after <paramref name="delay"/>, unless a run is already waiting to start.</summary>
    private void ScheduleCatchUp(TimeSpan delay)
    {
        if (Interlocked.Exchange(ref _catchUpScheduled, 1) == 1)
        {
            return;
        }
        _ = RunAsync();

        async Task RunAsync()
        {
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay);
            }
            Volatile.Write(ref _catchUpScheduled, 0);
            if (!await CatchUpAllAsync())
            {
                ScheduleCatchUp(CatchUpRetry);
            }
        }
    }

    /// <summary>
    /// After the pub/sub connection comes back, delivers what every channel missed meanwhile, or announces what
    /// cannot be delivered. Returns false when some channel could not be caught up (it is tried again).
    /// </summary>
    private async Task<bool> CatchUpAllAsync()
    {
        try
        {
            // Commands on one connection run in order: once this ping over the subscription connection is answered,
            // the restored subscriptions are in effect, and whatever the stream tops read next do not show yet
            // arrives by pub/sub.
            var multiplexer = await _redis.GetAsync();
            await multiplexer.GetSubscriber().PingAsync().WaitAsync(_redis.Options.CommandTimeout);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            return false;
        }
        var complete = true;
        foreach (var state in _channels.Values)
        {
            await state.Gate.WaitAsync();
            try
            {
                if (state.Epoch is null)
                {
                    continue;
                }
                var top = (await _history.ReadAsync(state.Channel, null, null, 0, failFast: false)).Top;
                var restarted = AdoptEpoch(state, top.Epoch);
                if (top.Offset > state.Offset)
                {
                    await FillGapAsync(state, top.Offset);
                }
                else if (restarted)
                {
                    // Nothing published in the new epoch yet: subscribers still learn that the stream restarted.
                    _sink.OnStreamReset(state.Channel, new StreamTop(0, top.Epoch));
                }
            }
            catch (Exception ex)
            {
                Log.CatchUpFailed(_logger, ex, state.Channel);
                complete = false;
            }
            finally
            {
                state.Gate.Release();
            }
        }
        return complete;
    }

    /// <summary>Drops a subscription the client library may hold for a channel this broker did not subscribe after all.</summary>
    private async Task ForgetSubscriptionAsync(RedisChannel pubSub)
    {
        try
        {
            var multiplexer = await _redis.GetAsync();
            await multiplexer.GetSubscriber().UnsubscribeAsync(pubSub, null, CommandFlags.FireAndForget);
        }
        catch (RedisException)
        {
            // Away: the subscription is forgotten locally all the same.
        }
    }

    private SemaphoreSlim Stripe(string channel) =>
        _stripes[(StringComparer.Ordinal.GetHashCode(channel) & int.MaxValue) % Stripes];

    /// <summary>
    /// A publication or stream top of another epoch than the one followed means the stream restarted (Redis lost
    /// it): its offsets are delivered from 1 again (read from history when pub/sub missed them), and subscribers get
    /// <c>stream_reset</c> before the first of them. Returns true when the epoch changed.
    /// </summary>
    private bool AdoptEpoch(ChannelState state, string epoch)
    {
        if (state.Epoch is null || string.Equals(epoch, state.Epoch, StringComparison.Ordinal))
        {
            return false;
        }
        Log.StreamRestarted(_logger, state.Channel, epoch);
        state.Epoch = epoch;
        state.Offset = 0;
        return true;
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
