using System.Net;
using System.Net.Sockets;

namespace Hubbub.Testing;

/// <summary>
/// A TCP proxy on 127.0.0.1 in front of a server, so a test can cut every connection abruptly (a reset, no close
/// frame, like a dead network), refuse new ones for a while and restore the network, or send new connections to
/// another server (one restarted on another port) — while the server itself keeps running.
/// </summary>
public sealed class LoopbackProxy : IAsyncDisposable, IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<(TcpClient Client, TcpClient Upstream)> _links = [];
    private readonly Lock _gate = new();
    private readonly Task _accept;
    private volatile Uri _target;
    private volatile bool _refusing;
    private int _accepted;
    private int _disposed;

    /// <summary>Forwards to a server on 127.0.0.1:<paramref name="targetPort"/>.</summary>
    public LoopbackProxy(int targetPort)
        : this(new Uri($"http://127.0.0.1:{targetPort}/"))
    {
    }

    /// <summary>Forwards to the host and port of <paramref name="target"/>.</summary>
    public LoopbackProxy(Uri target)
    {
        _target = target;
        _listener.Start();
        _accept = Task.Run(AcceptLoopAsync);
    }

    /// <summary>The proxy's own port on 127.0.0.1.</summary>
    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Where an HTTP client (or a browser) should go.</summary>
    public Uri Address => new($"http://127.0.0.1:{Port}/");

    /// <summary>The WebSocket door through the proxy.</summary>
    public Uri WsUrl => new($"ws://127.0.0.1:{Port}/ws");

    /// <summary>Connections accepted and forwarded so far.</summary>
    public int Accepted
    {
        get
        {
            lock (_gate)
            {
                return _accepted;
            }
        }
    }

    /// <summary>Cuts every open connection (RST) and, while <paramref name="refuse"/>, resets new ones at once.</summary>
    public void Drop(bool refuse)
    {
        _refusing = refuse;
        lock (_gate)
        {
            foreach (var (client, upstream) in _links)
            {
                Reset(client);
                client.Dispose();
                upstream.Dispose();
            }
            _links.Clear();
        }
    }

    /// <summary>Closes every live connection and refuses new ones until <see cref="Restore"/>.</summary>
    public void Cut() => Drop(refuse: true);

    /// <summary>Accepts and forwards connections again.</summary>
    public void Restore() => _refusing = false;

    /// <summary>Sends new connections to another server (e.g. one restarted on another port).</summary>
    public void Retarget(Uri target) => _target = target;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        await _stop.CancelAsync();
        _listener.Stop();
        Drop(refuse: true);
        await _accept;
        _stop.Dispose();
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>Makes the close abortive (RST), like a network that died, when the socket is still there.</summary>
    private static void Reset(TcpClient client)
    {
        try
        {
            if (client.Client is { } socket)
            {
                socket.LingerState = new LingerOption(true, 0);
            }
        }
        catch (Exception ex) when (ex is ObjectDisposedException or SocketException)
        {
            // Already closed by its pump.
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            if (_refusing)
            {
                Reset(client);
                client.Dispose();
                continue;
            }
            var upstream = new TcpClient();
            try
            {
                var target = _target;
                await upstream.ConnectAsync(target.Host, target.Port, _stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                client.Dispose();
                upstream.Dispose();
                continue;
            }
            lock (_gate)
            {
                _links.Add((client, upstream));
                _accepted++;
            }
            _ = PumpAsync(client, upstream);
            _ = PumpAsync(upstream, client);
        }
    }

    private async Task PumpAsync(TcpClient from, TcpClient to)
    {
        try
        {
            await from.GetStream().CopyToAsync(to.GetStream(), _stop.Token);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException or SocketException or InvalidOperationException)
        {
            // Either side went away; the other is closed below.
        }
        from.Dispose();
        to.Dispose();
        lock (_gate)
        {
            _links.RemoveAll(l => l.Client == from || l.Client == to);
        }
    }
}
