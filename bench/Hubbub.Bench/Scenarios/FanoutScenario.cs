using Hubbub.Bench.Clients;
using Hubbub.Bench.Infra;

namespace Hubbub.Bench.Scenarios;

/// <summary>
/// <c>fanout</c>: one broadcast channel, <see cref="BenchSettings.Subscribers"/> subscribers on one server, one
/// publisher climbing the rate ladder (see <see cref="Ladder"/>).
/// </summary>
public sealed class FanoutScenario : IScenario
{
    /// <summary>The channel (Hubbub's public namespace: any signed-in user subscribes and publishes).</summary>
    public const string Channel = "public:bench";

    /// <inheritdoc />
    public string Name => "fanout";

    /// <inheritdoc />
    public bool Supports(ServerKind kind) => true;

    /// <inheritdoc />
    public string? PendingReason() => null;

    /// <inheritdoc />
    public async Task RunAsync(ScenarioContext context, ServerKind kind, int round, CancellationToken cancellationToken)
    {
        var n = context.Settings.Subscribers;
        await using var server = await context.StartAsync(kind, cancellationToken);
        var target = Target.For(server);
        var sink = new FanoutSink(n);
        context.Status($"fanout {kind.Title()} round {round}: connecting {n}");
        var subscribers = await context.ConnectManyAsync(0, n, (i, ct) => target.ConnectSubscriberAsync(i, Channel, sink, ct), cancellationToken);
        try
        {
            await using var publisher = await target.ConnectPublisherAsync(Channel, cancellationToken);
            await Ladder.RunAsync(context, Name, kind, round, publisher, sink, n, [server], cancellationToken);
        }
        finally
        {
            await server.DisposeAsync();
            await ScenarioContext.DisposeAllAsync(subscribers);
        }
    }
}
