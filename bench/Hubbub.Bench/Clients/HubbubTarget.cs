using System.Text;
using Hubbub.Bench.Infra;

namespace Hubbub.Bench.Clients;

/// <summary>Hubbub's protocol: JWT in the query, <c>welcome</c>, <c>subscribe</c> with a reply, <c>publish</c>, <c>ping</c>/<c>pong</c>.</summary>
public sealed class HubbubTarget(ServerProcess server) : Target(server)
{
    private static readonly byte[] ReplyToFirst = """{"type":"reply","id":1,"""u8.ToArray();
    private static readonly byte[] ErrorToFirst = """{"type":"error","id":1,"""u8.ToArray();

    /// <inheritdoc />
    public override Task<IBenchConnection> ConnectSubscriberAsync(int index, string channel, IFrameSink sink, CancellationToken cancellationToken) =>
        SubscribeAsync($"b{index}", index, channel, null, sink, cancellationToken);

    /// <summary>
    /// Connects as <paramref name="user"/>, subscribes (with <paramref name="since"/> as <c>{offset, epoch}</c> when
    /// given) and hands every frame from the subscribe reply on to <paramref name="sink"/>.
    /// </summary>
    public async Task<IBenchConnection> SubscribeAsync(string user, int index, string channel, (long Offset, string Epoch)? since,
        IFrameSink sink, CancellationToken cancellationToken)
    {
        var client = await ConnectAsync(user, cancellationToken);
        try
        {
            var sinceJson = since is { } s ? $$""","since":{"offset":{{s.Offset}},"epoch":"{{s.Epoch}}"}""" : "";
            await client.SendAsync(Encoding.UTF8.GetBytes(
                "{\"type\":\"subscribe\",\"id\":1,\"data\":{\"channel\":\"" + channel + "\"" + sinceJson + "}}"), cancellationToken);
            byte[][] buffer = [new byte[1024]];
            // Other members' presence events for the channel may arrive before the reply (they are not held back
            // like publications), so many frames may precede it in a busy channel; bounded in count and time.
            using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            bound.CancelAfter(TimeSpan.FromSeconds(60));
            for (var i = 0; i < 1_000_000; i++)
            {
                var length = await client.ReceiveOneAsync(buffer, bound.Token)
                    ?? throw new IOException("Hubbub closed the connection before the subscribe reply");
                var frame = buffer[0].AsSpan(0, length);
                if (frame.StartsWith(ErrorToFirst))
                {
                    throw new IOException($"subscribe refused: {Encoding.UTF8.GetString(frame)}");
                }
                sink.OnFrame(index, frame);
                if (frame.StartsWith(ReplyToFirst))
                {
                    client.StartReceiving(f => sink.OnFrame(index, f), () => sink.OnClosed(index), buffer);
                    return client;
                }
            }
            throw new IOException("no subscribe reply within 1,000,000 frames");
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    /// <inheritdoc />
    public override async Task<IPublisher> ConnectPublisherAsync(string channel, CancellationToken cancellationToken)
    {
        var client = await ConnectAsync("publisher", cancellationToken);
        return new Publisher(client, channel);
    }

    /// <inheritdoc />
    public override async Task<IEchoClient> ConnectEchoAsync(CancellationToken cancellationToken)
    {
        var client = await ConnectAsync("echo", cancellationToken);
        long id = 0;
        return new EchoOverWs(client, payload =>
        {
            var head = Encoding.UTF8.GetBytes($$"""{"type":"ping","id":{{++id}},"data":""");
            return [.. head, .. payload, (byte)'}'];
        }, frame => frame.StartsWith("""{"type":"pong","""u8) || (frame.StartsWith("""{"type":"error","""u8)
            ? throw new IOException($"the echo was answered with an error: {Encoding.UTF8.GetString(frame)}")
            : false));
    }

    /// <summary>
    /// Opens a connection subscribed to a fresh <c>public:</c> channel of its own, for publish round trips: each
    /// publishes into that channel and waits for its own publication (<see cref="PublishEchoClient"/>).
    /// </summary>
    public async Task<IEchoClient> ConnectPublishEchoAsync(CancellationToken cancellationToken)
    {
        var channel = $"public:rt-{Guid.NewGuid():N}";
        var client = await ConnectAsync("publish-echo", cancellationToken);
        try
        {
            await client.SendAsync(Encoding.UTF8.GetBytes(
                "{\"type\":\"subscribe\",\"id\":1,\"data\":{\"channel\":\"" + channel + "\"}}"), cancellationToken);
            byte[][] buffer = [new byte[1024]];
            using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            bound.CancelAfter(TimeSpan.FromSeconds(30));
            while (true)
            {
                var length = await client.ReceiveOneAsync(buffer, bound.Token)
                    ?? throw new IOException("Hubbub closed the connection before the subscribe reply");
                var frame = buffer[0].AsSpan(0, length);
                if (frame.StartsWith(ErrorToFirst))
                {
                    throw new IOException($"subscribe refused: {Encoding.UTF8.GetString(frame)}");
                }
                if (frame.StartsWith(ReplyToFirst))
                {
                    return new PublishEchoClient(client, channel);
                }
            }
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    /// <summary>Connects as <paramref name="user"/> for request/reply commands.</summary>
    public async Task<HubbubCommandClient> ConnectCommandsAsync(string user, CancellationToken cancellationToken) =>
        new(await ConnectAsync(user, cancellationToken));

    private async Task<WsClient> ConnectAsync(string user, CancellationToken cancellationToken)
    {
        var client = await WsClient.ConnectAsync(new Uri($"ws://127.0.0.1:{Server.Port}/ws?access_token={Tokens.For(user)}"), cancellationToken);
        byte[][] buffer = [new byte[1024]];
        var length = await client.ReceiveOneAsync(buffer, cancellationToken);
        if (length is null || !buffer[0].AsSpan(0, length.Value).StartsWith("""{"type":"welcome","""u8))
        {
            await client.DisposeAsync();
            throw new IOException("Hubbub did not send welcome first");
        }
        return client;
    }

    private sealed class Publisher : IPublisher
    {
        private readonly WsClient _client;
        private readonly byte[] _head;
        private long _pingId;
        private TaskCompletionSource? _flush;

        public Publisher(WsClient client, string channel)
        {
            _client = client;
            _head = Encoding.UTF8.GetBytes($$"""{"type":"publish","data":{"channel":"{{channel}}","data":""");
            client.StartReceiving(frame =>
            {
                if (frame.StartsWith("""{"type":"pong","""u8))
                {
                    Volatile.Read(ref _flush)?.TrySetResult();
                }
                else if (frame.StartsWith("""{"type":"error","""u8))
                {
                    Interlocked.Increment(ref Errors);
                }
            }, () => Volatile.Read(ref _flush)?.TrySetException(new IOException("the publisher's connection closed")));
        }

        /// <summary>Error frames the publisher received (e.g. rate_limited): a run with any is not a clean run.</summary>
        public static int Errors;

        public ValueTask PublishAsync(byte[] payload, CancellationToken cancellationToken) =>
            _client.SendAsync((byte[])[.. _head, .. payload, (byte)'}', (byte)'}'], cancellationToken);

        public async ValueTask FlushAsync(CancellationToken cancellationToken)
        {
            var flush = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref _flush, flush);
            await _client.SendAsync(Encoding.UTF8.GetBytes($$"""{"type":"ping","id":{{++_pingId}}}"""), cancellationToken);
            await flush.Task.WaitAsync(TimeSpan.FromSeconds(15), cancellationToken);
        }

        public ValueTask DisposeAsync() => _client.DisposeAsync();
    }
}
