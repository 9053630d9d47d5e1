using Hubbub.Bench.Clients;

namespace Hubbub.Bench.Chaos;

/// <summary>Opens a WebSocket to one chaos node as a user and waits for <c>welcome</c>, within a bound.</summary>
internal static class ChaosConnect
{
    /// <summary>How long a connection attempt may take (a stopped node accepts TCP but never answers the upgrade).</summary>
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(4);

    /// <summary>Connects <paramref name="user"/> to <paramref name="node"/>; throws when it does not answer in time.</summary>
    public static async Task<WsClient> ConnectAsync(ChaosNode node, string user, CancellationToken cancellationToken)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(Bound);
        var client = await WsClient.ConnectAsync(new Uri($"ws://127.0.0.1:{node.Port}/ws?access_token={Tokens.For(user)}"), bound.Token);
        try
        {
            byte[][] buffer = [new byte[1024]];
            var length = await client.ReceiveOneAsync(buffer, bound.Token);
            if (length is null || !buffer[0].AsSpan(0, length.Value).StartsWith("""{"type":"welcome","""u8))
            {
                throw new IOException($"{node.Name} did not send welcome first");
            }
            return client;
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }
}
