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

    private static Publication Pub(long offset, string epoch = "e1") =>
        new("public:x", offset, epoch, new PublicationDraft("message", Encoding.UTF8.GetBytes(offset.ToString(System.Globalization.CultureInfo.InvariantCulture)), null), 0);

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

    [Fact]
    public async Task Jumps_other_epochs_and_broker_resets_reach_the_client_as_stream_reset_with_where_delivery_goes_on()
    {
        await using var pair = await SocketPair.CreateAsync();
        var connection = new ClientConnection("c1", new HubbubUser("1", "One", []), pair.Server, null, new HubbubOptions(), TimeProvider.System, NullLogger.Instance);
        var subscription = new Subscription(connection, "public:x", presence: false);

        subscription.Deliver(Pub(4));
        subscription.Reset(new StreamTop(6, "e1")); // held with the publications, in order
        subscription.Deliver(Pub(7));
        subscription.Activate(Reply, new StreamTop(3, "e1"), []);
        subscription.Deliver(Pub(9)); // 8 never came
        subscription.Reset(new StreamTop(9, "e1")); // nothing the client lacks: no frame
        subscription.Reset(new StreamTop(11, "e1")); // the broker lost 10 and 11
        subscription.Reset(new StreamTop(0, "e2")); // the stream restarted
        subscription.Deliver(Pub(1, "e2"));
        subscription.Deliver(Pub(3, "e3")); // restarted again, and 1-2 of it never came

        var run = connection.RunAsync(static (_, _) => ValueTask.CompletedTask, CancellationToken.None);
        string[] expected =
        [
            "reply", "4", "reset e1 6", "7", "reset e1 8", "9", "reset e1 11", "reset e2 0", "1", "reset e3 2", "3",
        ];
        var frames = await ReadAsync(pair.Client, expected.Length);
        Assert.Equal(expected, frames.Select(Describe));

        await pair.Client.CloseAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
        await run.WaitAsync(TimeSpan.FromSeconds(10));
    }

    private static string Describe(string frame)
    {
        using var doc = System.Text.Json.JsonDocument.Parse(frame);
        var root = doc.RootElement;
        var type = root.GetProperty("type").GetString();
        return type switch
        {
            "reply" => "reply",
            "stream_reset" => $"reset {root.GetProperty("data").GetProperty("epoch").GetString()} {root.GetProperty("data").GetProperty("offset").GetInt64()}",
            _ => root.GetProperty("offset").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
    }

    /// <summary>Reads <paramref name="count"/> frames (bounded).</summary>
    private static async Task<List<string>> ReadAsync(WebSocket client, int count)
    {
        var frames = new List<string>();
        var buffer = new byte[4096];
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (frames.Count < count)
        {
            var r = await client.ReceiveAsync(buffer, deadline.Token);
            frames.Add(Encoding.UTF8.GetString(buffer, 0, r.Count));
        }
        return frames;
    }

    /// <summary>Two WebSockets joined over a loopback TCP connection.</summary>
    internal sealed class SocketPair : IAsyncDisposable
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
