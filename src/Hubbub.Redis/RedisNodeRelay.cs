using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using Hubbub.Core;
using Hubbub.Core.Seams;
using Hubbub.Protocol;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Hubbub.Redis;

/// <summary>
/// Node-to-node requests through Redis pub/sub. Every node that needs it subscribes to one pub/sub channel of its own,
/// <c>{prefix}relay:{address}</c>, on which it receives both requests for it and the answers to its own requests.
/// A request is PUBLISHed to the target node's channel: Redis answers how many subscribers got it, so a node that
/// is gone (nobody subscribed) is known at once; otherwise the sender waits for the answer, bounded.
/// </summary>
/// <remarks>
/// Messages: <c>q</c> request id, reply address, session, user, then the body; <c>a</c> request id, status, code,
/// message (strings length-prefixed as in <see cref="MessageCodec"/>).
/// </remarks>
public sealed class RedisNodeRelay : INodeRelay
{
    private const byte RequestKind = (byte)'q';
    private const byte AnswerKind = (byte)'a';

    private readonly RedisConnection _redis;
    private readonly ILogger<RedisNodeRelay> _logger;
    private readonly ConcurrentDictionary<string, TaskCompletionSource<RelayAnswer>> _waiting = new(StringComparer.Ordinal);
    private readonly Lock _subscribeGate = new();
    private Task? _subscribing;
    private Func<RelayRequest, ValueTask<RelayAnswer>>? _handler;
    private ChannelMessageQueue? _queue;

    /// <summary>Creates the relay; nothing is subscribed until it is first used.</summary>
    public RedisNodeRelay(RedisConnection redis, ILogger<RedisNodeRelay> logger)
    {
        _redis = redis;
        _logger = logger;
    }

    /// <inheritdoc />
    public string Address { get; } = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    /// <inheritdoc />
    public async ValueTask ListenAsync(Func<RelayRequest, ValueTask<RelayAnswer>> handler, CancellationToken cancellationToken = default)
    {
        Interlocked.CompareExchange(ref _handler, handler, null);
        await EnsureSubscribedAsync();
    }

    /// <inheritdoc />
    public async ValueTask<RelayAnswer?> SendAsync(string address, RelayRequest request, TimeSpan timeout,
        CancellationToken cancellationToken = default)
    {
        // Answers come back on this node's own channel: it must listen before anything can answer.
        await EnsureSubscribedAsync();
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        var answer = new TaskCompletionSource<RelayAnswer>(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiting[id] = answer;
        try
        {
            var message = EncodeRequest(id, Address, request);
            var receivers = await _redis.ExecuteAsync(m => m.GetSubscriber().PublishAsync(ChannelOf(address), message));
            if (receivers == 0)
            {
                return null;
            }
            try
            {
                return await answer.Task.WaitAsync(timeout, cancellationToken);
            }
            catch (TimeoutException)
            {
                throw new HubbubException(ErrorCodes.Internal,
                    "the node holding this session did not answer in time; the frames may or may not have been taken");
            }
        }
        finally
        {
            _waiting.TryRemove(id, out _);
        }
    }

    private RedisChannel ChannelOf(string address) => RedisChannel.Literal($"{_redis.Options.KeyPrefix}relay:{address}");

    private async ValueTask EnsureSubscribedAsync()
    {
        if (Volatile.Read(ref _queue) is not null)
        {
            return;
        }
        Task subscribing;
        lock (_subscribeGate)
        {
            subscribing = _subscribing ??= SubscribeAsync();
        }
        try
        {
            await subscribing;
        }
        catch (HubbubException)
        {
            // Redis is away: the next use tries again.
            lock (_subscribeGate)
            {
                if (_subscribing == subscribing)
                {
                    _subscribing = null;
                }
            }
            throw;
        }
    }

    private async Task SubscribeAsync()
    {
        // StackExchange.Redis restores the subscription by itself after a reconnect.
        var queue = await _redis.ExecuteAsync(m => m.GetSubscriber().SubscribeAsync(ChannelOf(Address)));
        queue.OnMessage(OnMessageAsync);
        Volatile.Write(ref _queue, queue);
    }

    private async Task OnMessageAsync(ChannelMessage message)
    {
        try
        {
            var bytes = (byte[]?)message.Message;
            if (bytes is not { Length: > 0 })
            {
                return;
            }
            var position = 1;
            var id = MessageCodec.ReadString(bytes, ref position);
            if (bytes[0] == AnswerKind)
            {
                var status = int.Parse(MessageCodec.ReadString(bytes, ref position), CultureInfo.InvariantCulture);
                var code = MessageCodec.ReadString(bytes, ref position);
                var text = MessageCodec.ReadString(bytes, ref position);
                if (_waiting.TryGetValue(id, out var waiter))
                {
                    waiter.TrySetResult(new RelayAnswer(status, code.Length == 0 ? null : code, text.Length == 0 ? null : text));
                }
                return;
            }
            if (bytes[0] != RequestKind)
            {
                return;
            }
            var replyTo = MessageCodec.ReadString(bytes, ref position);
            var session = MessageCodec.ReadString(bytes, ref position);
            var user = MessageCodec.ReadString(bytes, ref position);
            var request = new RelayRequest(session, user, bytes.AsMemory(position));
            var answer = Volatile.Read(ref _handler) is { } handler
                ? await handler(request)
                : new RelayAnswer(404, ErrorCodes.NotFound, "no such session");
            await _redis.ExecuteAsync(m => m.GetSubscriber().PublishAsync(ChannelOf(replyTo), EncodeAnswer(id, answer)));
        }
        catch (Exception ex)
        {
            // The sender times out and answers 'internal'; nothing else is affected.
            Log.RelayFailed(_logger, ex);
        }
    }

    private static byte[] EncodeRequest(string id, string replyTo, RelayRequest request)
    {
        var buffer = new ArrayBufferWriter<byte>(request.Body.Length + 96);
        buffer.Write([RequestKind]);
        MessageCodec.WriteString(buffer, id);
        MessageCodec.WriteString(buffer, replyTo);
        MessageCodec.WriteString(buffer, request.Session);
        MessageCodec.WriteString(buffer, request.User);
        buffer.Write(request.Body.Span);
        return buffer.WrittenSpan.ToArray();
    }

    private static byte[] EncodeAnswer(string id, RelayAnswer answer)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        buffer.Write([AnswerKind]);
        MessageCodec.WriteString(buffer, id);
        MessageCodec.WriteString(buffer, answer.Status.ToString(CultureInfo.InvariantCulture));
        MessageCodec.WriteString(buffer, answer.Code ?? string.Empty);
        MessageCodec.WriteString(buffer, answer.Message ?? string.Empty);
        return buffer.WrittenSpan.ToArray();
    }
}
