using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Hubbub.Client.Tests.Infrastructure;

/// <summary>
/// A WebSocket peer on 127.0.0.1 that plays a script, for what the real server cannot be made to do on demand:
/// close with 4403, go silent, send malformed frames, replay duplicates, send stream_reset.
/// </summary>
public sealed class ScriptedServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _connections;

    private ScriptedServer(WebApplication app) => _app = app;

    /// <summary>Connections accepted so far.</summary>
    public int Connections => Volatile.Read(ref _connections);

    public Uri WsUrl { get; private set; } = null!;

    /// <summary>Starts a server whose every connection runs <paramref name="script"/> (given the connection's 1-based number).</summary>
    public static async Task<ScriptedServer> StartAsync(Func<ScriptedSocket, int, Task> script)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new ScriptedServer(app);
        app.UseWebSockets();
        app.Map("/ws", async (HttpContext context) =>
        {
            if (!context.WebSockets.IsWebSocketRequest)
            {
                context.Response.StatusCode = 400;
                return;
            }
            var number = Interlocked.Increment(ref server._connections);
            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            await script(new ScriptedSocket(socket), number);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.WsUrl = new Uri($"ws://127.0.0.1:{new Uri(address).Port}/ws");
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        await _app.StopAsync(timeout.Token);
        await _app.DisposeAsync();
    }
}

/// <summary>The server side of one scripted connection.</summary>
public sealed class ScriptedSocket(WebSocket socket)
{
    public WebSocket Socket { get; } = socket;

    public Task SendAsync(string json) => Socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, CancellationToken.None);

    public Task WelcomeAsync(int heartbeatMs = 60_000) => SendAsync(
        """{"type":"welcome","data":{"client":"c1","user":"42","name":"Ada","heartbeat_ms":""" + heartbeatMs
        + ""","node":"scripted","version":"test","limits":{"max_frame_bytes":65536,"max_subscriptions":128,"messages_per_second":100,"burst":200}}}""");

    /// <summary>Receives the next text frame as a JSON document; null when the client closed.</summary>
    public async Task<JsonDocument?> ReceiveAsync(int timeoutSeconds = 10)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds));
        var buffer = new byte[64 * 1024];
        var count = 0;
        while (true)
        {
            var result = await Socket.ReceiveAsync(buffer.AsMemory(count), cts.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }
            count += result.Count;
            if (result.EndOfMessage)
            {
                return JsonDocument.Parse(buffer.AsMemory(0, count));
            }
        }
    }

    /// <summary>Receives frames until one of <paramref name="type"/> arrives.</summary>
    public async Task<JsonElement> ReceiveTypeAsync(string type, int timeoutSeconds = 10)
    {
        for (var i = 0; i < 100; i++)
        {
            using var doc = await ReceiveAsync(timeoutSeconds) ?? throw new InvalidOperationException($"closed while waiting for {type}");
            if (doc.RootElement.GetProperty("type").GetString() == type)
            {
                return doc.RootElement.Clone();
            }
        }
        throw new InvalidOperationException($"no {type} in 100 frames");
    }

    /// <summary>Keeps the connection open (reading and discarding) until the client leaves.</summary>
    public async Task DrainAsync(int timeoutSeconds = 30)
    {
        try
        {
            while (await ReceiveAsync(timeoutSeconds) is { } doc)
            {
                doc.Dispose();
            }
        }
        catch (Exception)
        {
            // The client went away or the test ended.
        }
    }

    public Task CloseAsync(int code, string reason) => Socket.CloseAsync((WebSocketCloseStatus)code, reason, CancellationToken.None);
}
