using Hubbub.Client.Tests.Infrastructure;
using Hubbub.Examples;

namespace Hubbub.Client.Tests;

/// <summary>The example program's logic, run while the test kills and restores its connection.</summary>
public sealed class ExampleTests
{
    [Fact]
    public async Task The_channel_follower_receives_every_publication_once_in_order_while_its_connection_is_killed_and_restored()
    {
        await using var server = ServerHost.Start();
        await using var proxy = new LoopbackProxy(server.Port);
        await using var client = Clients.For(proxy.WsUrl, "42");
        var log = new StateLog(client);
        using var output = new StringWriter();
        var follower = new ChannelFollower(client, "public:follow", TextWriter.Synchronized(output));
        using var stop = new CancellationTokenSource();
        await client.ConnectAsync();
        var run = follower.RunAsync(stop.Token);

        var published = 0;
        for (var round = 0; round < 4; round++)
        {
            // The follower subscribes asynchronously; publish only once it is listening.
            await Eventually.TrueAsync(() => output.ToString().Contains("following"), "the follower to subscribe");
            for (var i = 0; i < 5; i++)
            {
                await server.PublishAsync("public:follow", new { n = ++published });
            }
            proxy.Drop(refuse: true);
            await log.NextAsync(ConnectionState.Reconnecting);
            for (var i = 0; i < 5; i++)
            {
                await server.PublishAsync("public:follow", new { n = ++published }); // while it is offline
            }
            proxy.Restore();
            await log.NextAsync(ConnectionState.Connected);
        }

        await Eventually.TrueAsync(() => follower.Offsets.Count >= published, $"{published} publications");
        await stop.CancelAsync();
        await run;
        Assert.Equal(Enumerable.Range(1, published).Select(i => (long)i), follower.Offsets);
        Assert.Equal(0, follower.Reloads);
        Assert.Contains("#40 message {\"n\":40}", output.ToString());
    }
}
