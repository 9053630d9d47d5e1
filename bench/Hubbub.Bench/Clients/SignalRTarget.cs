using System.Text;
using Hubbub.Bench.Infra;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;

namespace Hubbub.Bench.Clients;

/// <summary>The SignalR baseline through the official client: <c>Join</c>, <c>Publish</c> (received as <c>m</c>), <c>Echo</c>.</summary>
public sealed class SignalRTarget(ServerProcess server) : Target(server)
{
    [ThreadStatic]
    private static byte[]? t_buffer;

    /// <inheritdoc />
    public override async Task<IBenchConnection> ConnectSubscriberAsync(int index, string channel, IFrameSink sink, CancellationToken cancellationToken)
    {
        var connection = Build();
        connection.On<string>("m", payload =>
        {
            var buffer = t_buffer ??= new byte[4096];
            var length = Encoding.UTF8.GetBytes(payload, buffer);
            sink.OnFrame(index, buffer.AsSpan(0, length));
        });
        connection.Closed += _ =>
        {
            sink.OnClosed(index);
            return Task.CompletedTask;
        };
        await StartAsync(connection, cancellationToken);
        await connection.InvokeAsync("Join", channel, cancellationToken);
        return new Connection(connection);
    }

    /// <inheritdoc />
    public override async Task<IPublisher> ConnectPublisherAsync(string channel, CancellationToken cancellationToken)
    {
        var connection = Build();
        await StartAsync(connection, cancellationToken);
        return new Publisher(connection, channel);
    }

    /// <inheritdoc />
    public override async Task<IEchoClient> ConnectEchoAsync(CancellationToken cancellationToken)
    {
        var connection = Build();
        await StartAsync(connection, cancellationToken);
        return new Echo(connection);
    }

    private HubConnection Build() => new HubConnectionBuilder()
        .WithUrl($"http://127.0.0.1:{Server.Port}/hub", o =>
        {
            o.SkipNegotiation = true;
            o.Transports = HttpTransportType.WebSockets;
        })
        .Build();

    private static async Task StartAsync(HubConnection connection, CancellationToken cancellationToken)
    {
        try
        {
            await connection.StartAsync(cancellationToken);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private sealed class Connection(HubConnection connection) : IBenchConnection
    {
        public void Abort() => _ = connection.DisposeAsync().AsTask();

        public ValueTask DisposeAsync() => connection.DisposeAsync();
    }

    private sealed class Publisher(HubConnection connection, string channel) : IPublisher
    {
        public ValueTask PublishAsync(byte[] payload, CancellationToken cancellationToken) =>
            new(connection.SendAsync("Publish", channel, Encoding.UTF8.GetString(payload), cancellationToken));

        public ValueTask FlushAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask DisposeAsync() => connection.DisposeAsync();
    }

    private sealed class Echo(HubConnection connection) : IEchoClient
    {
        public async ValueTask RoundTripAsync(byte[] payload, CancellationToken cancellationToken) =>
            _ = await connection.InvokeAsync<string>("Echo", Encoding.UTF8.GetString(payload), cancellationToken);

        public ValueTask DisposeAsync() => connection.DisposeAsync();
    }
}
