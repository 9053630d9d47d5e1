using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Hubbub.Console.Tests.Infrastructure;

/// <summary>
/// A TCP proxy on 127.0.0.1 in front of the server. A browser that loads the console through it can have its
/// network cut (every live connection closed, new ones refused) and restored, as a flaky network would.
/// </summary>
public sealed class LoopbackProxy : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private volatile Uri _target;
    private readonly ConcurrentDictionary<TcpClient, byte> _live = new();
    private readonly CancellationTokenSource _stop = new();
    private volatile bool _cut;

    public LoopbackProxy(Uri target)
    {
        _target = target;
        _listener.Start();
        Address = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
        _ = AcceptLoopAsync();
    }

    /// <summary>Where the browser should go.</summary>
    public Uri Address { get; }

    /// <summary>Closes every live connection and refuses new ones until <see cref="Restore"/>.</summary>
    public void Cut()
    {
        _cut = true;
        foreach (var client in _live.Keys)
        {
            Close(client);
        }
    }

    public void Restore() => _cut = false;

    /// <summary>Sends new connections to another server (e.g. one restarted on another port).</summary>
    public void Retarget(Uri target) => _target = target;

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient inbound;
            try
            {
                inbound = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            if (_cut)
            {
                inbound.Client.LingerState = new LingerOption(true, 0); // a reset, like a dead network
                inbound.Dispose();
                continue;
            }
            _ = PipeAsync(inbound);
        }
    }

    private async Task PipeAsync(TcpClient inbound)
    {
        using var outbound = new TcpClient();
        try
        {
            var target = _target;
            await outbound.ConnectAsync(target.Host, target.Port, _stop.Token);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
            inbound.Dispose();
            return;
        }
        _live[inbound] = 0;
        _live[outbound] = 0;
        try
        {
            var a = inbound.GetStream();
            var b = outbound.GetStream();
            // When either direction ends, the pair is done.
            await Task.WhenAny(a.CopyToAsync(b, _stop.Token), b.CopyToAsync(a, _stop.Token));
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException or SocketException)
        {
            // The pair was cut.
        }
        finally
        {
            _live.TryRemove(inbound, out _);
            _live.TryRemove(outbound, out _);
            Close(inbound);
        }
    }

    private static void Close(TcpClient client)
    {
        try
        {
            // Client is null once the TcpClient was disposed.
            if (client.Client is { } socket)
            {
                socket.LingerState = new LingerOption(true, 0);
            }
        }
        catch (Exception ex) when (ex is ObjectDisposedException or SocketException)
        {
            // Already closed.
        }
        client.Dispose();
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        Cut();
        _stop.Dispose();
    }
}
