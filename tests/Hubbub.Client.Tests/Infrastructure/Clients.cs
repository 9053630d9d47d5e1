namespace Hubbub.Client.Tests.Infrastructure;

public static class Clients
{
    /// <summary>A client for user <paramref name="user"/> with quick reconnects (real clock), not yet connected.</summary>
    public static HubbubClient For(Uri url, string user, Action<HubbubClientOptions>? configure = null)
    {
        var options = new HubbubClientOptions
        {
            Url = url,
            Token = ServerHost.Token(user, $"User {user}"),
            ReconnectBaseDelay = TimeSpan.FromMilliseconds(20),
            ReconnectMaxDelay = TimeSpan.FromMilliseconds(200),
            CircuitBreakerThreshold = 1000,
        };
        configure?.Invoke(options);
        return new HubbubClient(options);
    }

    public static async Task<HubbubClient> ConnectedAsync(Uri url, string user, Action<HubbubClientOptions>? configure = null)
    {
        var client = For(url, user, configure);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await client.ConnectAsync(cts.Token);
        return client;
    }
}
