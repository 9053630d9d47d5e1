namespace Hubbub.Server.Admin;

/// <summary>
/// What the admin API knows of the other nodes. On one node (no Redis) there are none. With Redis each node writes
/// its own report there every few seconds with a short expiry (<see cref="RedisAdminCluster"/>), so the node that
/// answers an operator reads the others' reports (a few seconds old at most) and adds its own, taken at that moment.
/// </summary>
public interface IAdminCluster
{
    /// <summary>True when the nodes share Redis.</summary>
    bool IsCluster { get; }

    /// <summary>The latest reports of the other live nodes, with their channels' local subscriber counts.</summary>
    Task<IReadOnlyList<(NodeReport Report, IReadOnlyDictionary<string, int> Channels)>> OtherNodesAsync(CancellationToken cancellationToken);

    /// <summary>Tells every other node to close the user's connections; returns how many nodes were reached.</summary>
    Task<long> DisconnectElsewhereAsync(string user, CancellationToken cancellationToken);
}

/// <summary>A single node: no other nodes to ask.</summary>
internal sealed class SingleNodeCluster : IAdminCluster
{
    public bool IsCluster => false;

    public Task<IReadOnlyList<(NodeReport Report, IReadOnlyDictionary<string, int> Channels)>> OtherNodesAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<(NodeReport, IReadOnlyDictionary<string, int>)>>([]);

    public Task<long> DisconnectElsewhereAsync(string user, CancellationToken cancellationToken) => Task.FromResult(0L);
}
