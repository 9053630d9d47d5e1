using System.Net.WebSockets;
using System.Text;

namespace Hubbub.Server.Tests.Infrastructure;

/// <summary>A WebSocket that subscribes and then does not read until told to: a slow consumer.</summary>
public sealed class RawSocket
{
    private readonly ClientWebSocket _socket;

    private RawSocket(ClientWebSocket socket) => _socket = socket;

    public static async Task<RawSocket> ConnectAsync(TestServer server, string user, string channel)
    {
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(server.WebSocketUri(TestTokens.For(user)), CancellationToken.None);
        var subscribe = Encoding.UTF8.GetBytes($$$"""{"type":"subscribe","id":1,"data":{"channel":"{{{channel}}}"}}""");
        await socket.SendAsync(subscribe, WebSocketMessageType.Text, true, CancellationToken.None);
        // Read the welcome and the reply, then stop reading.
        var buffer = new byte[64 * 1024];
        for (var frames = 0; frames < 2;)
        {
            var r = await socket.ReceiveAsync(buffer, CancellationToken.None);
            if (r.EndOfMessage)
            {
                frames++;
            }
        }
        return new RawSocket(socket);
    }

    /// <summary>Reads everything until the server's close frame; returns its status (or -1 when aborted).</summary>
    public async Task<int> DrainUntilClosedAsync()
    {
        var buffer = new byte[64 * 1024];
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            while (true)
            {
                var r = await _socket.ReceiveAsync(buffer, cts.Token);
                if (r.MessageType == WebSocketMessageType.Close)
                {
                    return (int)r.CloseStatus!.Value;
                }
            }
        }
        catch (WebSocketException)
        {
            return -1;
        }
        finally
        {
            _socket.Abort();
            _socket.Dispose();
        }
    }
}
