namespace Hubbub.Redis.Tests.MultiNode;

/// <summary>Three server processes sharing the test Redis (under a key prefix of their own), for the tests that leave them running.</summary>
public sealed class ThreeNodes : IAsyncLifetime
{
    public ServerNode A { get; private set; } = null!;
    public ServerNode B { get; private set; } = null!;
    public ServerNode C { get; private set; } = null!;

    public ServerNode[] All => [A, B, C];

    /// <summary>The Redis key prefix the three share: a node started with it joins their deployment.</summary>
    public string KeyPrefix { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var prefix = KeyPrefix = TestRedis.UniquePrefix();
        var nodes = await Task.WhenAll(
            ServerNode.StartAsync("node-a", TestRedis.Endpoint, prefix),
            ServerNode.StartAsync("node-b", TestRedis.Endpoint, prefix),
            ServerNode.StartAsync("node-c", TestRedis.Endpoint, prefix));
        (A, B, C) = (nodes[0], nodes[1], nodes[2]);
    }

    public async Task DisposeAsync()
    {
        foreach (var node in new[] { A, B, C })
        {
            if (node is not null)
            {
                await node.DisposeAsync();
            }
        }
    }
}
