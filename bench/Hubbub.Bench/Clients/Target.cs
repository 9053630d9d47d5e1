using Hubbub.Bench.Infra;

namespace Hubbub.Bench.Clients;

/// <summary>
/// How the load generator speaks to one kind of server: subscribe a connection to a broadcast channel, publish to
/// it, and measure a round trip. Each server's own protocol, the same workload.
/// </summary>
public abstract class Target(ServerProcess server)
{
    /// <summary>The server process.</summary>
    public ServerProcess Server { get; } = server;

    /// <summary>Which server.</summary>
    public ServerKind Kind => Server.Kind;

    /// <summary>Opens connection <paramref name="index"/> and subscribes it to <paramref name="channel"/>.</summary>
    public abstract Task<IBenchConnection> ConnectSubscriberAsync(int index, string channel, IFrameSink sink, CancellationToken cancellationToken);

    /// <summary>Opens the publishing connection.</summary>
    public abstract Task<IPublisher> ConnectPublisherAsync(string channel, CancellationToken cancellationToken);

    /// <summary>Opens a connection for round trips.</summary>
    public abstract Task<IEchoClient> ConnectEchoAsync(CancellationToken cancellationToken);

    /// <summary>The target for a started server.</summary>
    public static Target For(ServerProcess server) => server.Kind switch
    {
        ServerKind.Hubbub => new HubbubTarget(server),
        ServerKind.Kestrel => new KestrelTarget(server),
        _ => new SignalRTarget(server),
    };
}
