using System.Net.WebSockets;
using Hubbub.Client.Tests.Infrastructure;
using Hubbub.Server.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Hubbub.Client.Tests;

/// <summary>What a reconnecting client meets while a server shuts down, and a client disposed in the middle of an attempt.</summary>
public sealed class ShutdownTests
{
    [Fact]
    public async Task Disposing_a_client_whose_attempt_fails_as_it_is_stopped_ends_quietly()
    {
        // An attempt that fails with its own error at the moment the client is disposed (a refused connect, a token
        // service that errors on cancel): the loop's failure no longer matters, and DisposeAsync must not throw it.
        var asked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var client = new HubbubClient(new HubbubClientOptions
        {
            Url = new Uri($"ws://127.0.0.1:{LoopbackPort.Free()}/ws"),
            TokenProvider = async stop =>
            {
                asked.TrySetResult();
                await Task.Delay(Timeout.Infinite, stop).ContinueWith(_ => { }, TaskScheduler.Default);
                throw new InvalidOperationException("the token service is down");
            },
        });
        var connect = client.ConnectAsync();
        await asked.Task.WaitAsync(TimeSpan.FromSeconds(10));

        await client.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(ConnectionState.Stopped, client.State);
        // The connect still waiting learns why it will never complete.
        var never = await Assert.ThrowsAsync<HubbubConnectionException>(() => connect.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Contains("disposed", never.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Once_shutdown_began_new_upgrades_are_refused_with_503_and_the_sdk_keeps_retrying()
    {
        await using var server = ServerHost.Start(settings: new Dictionary<string, string> { ["Hubbub:ShutdownGraceMs"] = "10000" });
        await using var client = await Clients.ConnectedAsync(server.WsUrl, "42");
        var log = new StateLog(client);

        // A peer that never answers the server's close frame keeps the shutdown grace window open.
        using var holder = await OpenRawAsync(server.WsUrl, "holder");
        // Its welcome first: the upgrade's 101 comes before the server counts the connection, and a shutdown that counted
        // only the SDK's would end its grace window (and close the port) as soon as the SDK answered the close.
        var welcome = new byte[4096];
        using (var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            var first = await holder.ReceiveAsync(welcome, wait.Token);
            Assert.Contains("\"welcome\"", System.Text.Encoding.UTF8.GetString(welcome, 0, first.Count), StringComparison.Ordinal);
        }
        var stopping = Task.Run(() => server.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication());
        var shutdown = server.Services.GetRequiredService<GracefulShutdown>();
        await Eventually.TrueAsync(() => shutdown.IsStopping, "shutdown to begin");

        Assert.Equal(1001, (await log.NextAsync(ConnectionState.Disconnected)).CloseCode);
        await Assert.ThrowsAsync<WebSocketException>(() => OpenRawAsync(server.WsUrl, "late"));
        // The SDK meets the same refusal, treats it as passing trouble and keeps retrying.
        var retry = await log.NextAsync(ConnectionState.Reconnecting, e => e.Reason?.Contains("HTTP 503", StringComparison.Ordinal) == true);
        Assert.NotNull(retry.Delay);
        Assert.DoesNotContain(log.All, e => e.State == ConnectionState.Stopped);

        holder.Abort();
        await stopping;
    }

    private static async Task<ClientWebSocket> OpenRawAsync(Uri url, string user)
    {
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer " + ServerHost.Token(user));
        socket.Options.CollectHttpResponseDetails = true;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await socket.ConnectAsync(url, cts.Token);
            return socket;
        }
        catch (WebSocketException) when (socket.HttpStatusCode == System.Net.HttpStatusCode.ServiceUnavailable)
        {
            socket.Dispose();
            throw new WebSocketException("refused with 503");
        }
    }
}
