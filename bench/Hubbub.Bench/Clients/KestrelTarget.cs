using Hubbub.Bench.Infra;

namespace Hubbub.Bench.Clients;

/// <summary>The Kestrel baseline: connecting to <c>/ws</c> subscribes; frames sent to <c>/pub</c> go to everyone; <c>/ws</c> echoes.</summary>
public sealed class KestrelTarget(ServerProcess server) : Target(server)
{
    /// <inheritdoc />
    public override async Task<IBenchConnection> ConnectSubscriberAsync(int index, string channel, IFrameSink sink, CancellationToken cancellationToken)
    {
        var client = await WsClient.ConnectAsync(new Uri($"ws://127.0.0.1:{Server.Port}/ws"), cancellationToken);
        client.StartReceiving(f => sink.OnFrame(index, f), () => sink.OnClosed(index));
        return client;
    }

    /// <inheritdoc />
    public override async Task<IPublisher> ConnectPublisherAsync(string channel, CancellationToken cancellationToken)
    {
        var client = await WsClient.ConnectAsync(new Uri($"ws://127.0.0.1:{Server.Port}/pub"), cancellationToken);
        return new Publisher(client);
    }

    /// <inheritdoc />
    public override async Task<IEchoClient> ConnectEchoAsync(CancellationToken cancellationToken)
    {
        var client = await WsClient.ConnectAsync(new Uri($"ws://127.0.0.1:{Server.Port}/ws"), cancellationToken);
        return new EchoOverWs(client, payload => payload, _ => true);
    }

    private sealed class Publisher(WsClient client) : IPublisher
    {
        public ValueTask PublishAsync(byte[] payload, CancellationToken cancellationToken) => client.SendAsync(payload, cancellationToken);

        public ValueTask FlushAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask DisposeAsync() => client.DisposeAsync();
    }
}
