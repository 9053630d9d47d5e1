using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using Hubbub.Core.Connections;
using Hubbub.Core.Seams;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hubbub.Core.Tests.Connections;

/// <summary>
/// What reaches a client around its subscribe reply, over a real socket pair: the reply first, nothing of the
/// channel before it, live publications that arrived meanwhile after it, de-duplicated by offset.
/// </summary>
public sealed class SubscriptionOrderTests
{
    private static readonly byte[] Reply = Encoding.UTF8.GetBytes("""{"type":"reply","id":1,"data":{}}""");

    private static Publication Pub(long offset) =>
        new("public:x", offset, "e1", new PublicationDraft("message", Encoding.UTF8.GetBytes(offset.ToString(System.Globalization.CultureInfo.InvariantCulture)), null), 0);

    [Fact]
    public async Task Ephemeral_events_before_activation_are_dropped_and_publications_are_held_then_deduplicated()
    {
        await using var pair = await SocketPair.CreateAsync();
        var connection = new ClientConnection("c1", new HubbubUser("1", "One", []), pair.Server, null, new HubbubOptions(), TimeProvider.System, NullLogger.Instance);
        var subscription = new Subscription(connection, "public:x", presence: false);

        subscription.DeliverEphemeral(Encoding.UTF8.GetBytes("""{"type":"presence_join","channel":"public:x"}"""));
        subscription.Deliver(Pub(3));
        subscription.Deliver(Pub(4));
        subscription.Activate(Reply, new StreamTop(3, "e1"), [Pub(2), Pub(3)]);
        subscription.Deliver(Pub(4)); // a duplicate of one held back
        subscription.DeliverEphemeral(Encoding.UTF8.GetBytes("""{"type":"typing","channel":"public:x"}"""));
        subscription.Deliver(Pub(5));

        var run = connection.RunAsync(static (_, _) => ValueTask.CompletedTask, CancellationToken.None);
        var frames = new List<string>();
        var buffer = new byte[4096];
        while (frames.Count < 6)
        {
            var r = await pair.Client.ReceiveAsync(buffer, new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);
            frames.Add(Encoding.UTF8.GetString(buffer, 0, r.Count));
        }
        Assert.Equal(Encoding.UTF8.GetString(Reply), frames[0]);
        Assert.Contains("\"offset\":2", frames[1], StringComparison.Ordinal);
        Assert.Contains("\"offset\":3", frames[2], StringComparison.Ordinal);
        Assert.Contains("\"offset\":4", frames[3], StringComparison.Ordinal);
        Assert.Contains("\"type\":\"typing\"", frames[4], StringComparison.Ordinal);
        Assert.Contains("\"offset\":5", frames[5], StringComparison.Ordinal);

        await pair.Client.CloseAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
        await run.WaitAsync(TimeSpan.FromSeconds(10));
    }

    /// <summary>Two WebSockets joined over a loopback TCP connection.</summary>
    private sealed class SocketPair : IAsyncDisposable
    {
        private readonly TcpListener _listener;
        private readonly TcpClient _clientTcp;
        private readonly TcpClient _serverTcp;

        private SocketPair(TcpListener listener, TcpClient clientTcp, TcpClient serverTcp)
        {
            _listener = listener;
            _clientTcp = clientTcp;
            _serverTcp = serverTcp;
            Server = WebSocket.CreateFromStream(serverTcp.GetStream(), new WebSocketCreationOptions { IsServer = true });
            Client = WebSocket.CreateFromStream(clientTcp.GetStream(), new WebSocketCreationOptions { IsServer = false });
        }

        public WebSocket Server { get; }

        public WebSocket Client { get; }

        public static async Task<SocketPair> CreateAsync()
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var client = new TcpClient();
            var accept = listener.AcceptTcpClientAsync();
            await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
            return new SocketPair(listener, client, await accept);
        }

        public ValueTask DisposeAsync()
        {
            Server.Dispose();
            Client.Dispose();
            _clientTcp.Dispose();
            _serverTcp.Dispose();
            _listener.Stop();
            return ValueTask.CompletedTask;
        }
    }
}
