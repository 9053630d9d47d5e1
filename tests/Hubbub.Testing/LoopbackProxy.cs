using System.Net;
using System.Net.Sockets;

namespace Hubbub.Testing;

/// <summary>
/// A TCP proxy on 127.0.0.1 in front of a server, so a test can cut every connection abruptly (a reset, no close
/// frame, like a dead network), refuse new ones for a while and restore the network, or send new connections to
/// another server (one restarted on another port) — while the server itself keeps running. In front of several
/// servers it hands each new connection to the next one in turn (round robin, no stickiness), and it can play a
/// proxy that refuses WebSockets: every connection whose first request is an upgrade is answered 403.
/// </summary>
public sealed class LoopbackProxy : IAsyncDisposable, IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<(TcpClient Client, TcpClient Upstream)> _links = [];
    private readonly Lock _gate = new();
    private readonly Task _accept;
    private volatile Uri[] _targets;
    private volatile bool _refusing;
    private readonly Dictionary<int, int> _forwardedTo = [];
    private int _next;
    private int _accepted;
    private int _disposed;

    /// <summary>Forwards to a server on 127.0.0.1:<paramref name="targetPort"/>.</summary>
    public LoopbackProxy(int targetPort)
        : this(new Uri($"http://127.0.0.1:{targetPort}/"))
    {
    }

    /// <summary>Forwards to the host and port of <paramref name="target"/>.</summary>
    public LoopbackProxy(Uri target)
        : this([target])
    {
    }

    /// <summary>Forwards each new connection to the next of <paramref name="targets"/> in turn (round robin).</summary>
    public LoopbackProxy(IReadOnlyList<Uri> targets)
    {
        _targets = [.. targets];
        _listener.Start();
        _accept = Task.Run(AcceptLoopAsync);
    }

    /// <summary>The proxy's own port on 127.0.0.1.</summary>
    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Where an HTTP client (or a browser) should go.</summary>
    public Uri Address => new($"http://127.0.0.1:{Port}/");

    /// <summary>The WebSocket door through the proxy.</summary>
    public Uri WsUrl => new($"ws://127.0.0.1:{Port}/ws");

    /// <summary>Answers 403 to every connection whose first request is a WebSocket upgrade, as a proxy that blocks WebSockets does.</summary>
    public bool RefuseWebSocketUpgrades { get; set; }

    /// <summary>WebSocket upgrades answered 403 so far.</summary>
    public int RefusedUpgrades => Volatile.Read(ref _refusedUpgrades);

    private int _refusedUpgrades;

    /// <summary>Connections forwarded so far to the server on <paramref name="port"/>.</summary>
    public int ForwardedTo(int port)
    {
        lock (_gate)
        {
            return _forwardedTo.GetValueOrDefault(port);
        }
    }

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
    public void Retarget(Uri target) => _targets = [target];

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
            // Each connection on its own: one that is slow to send its head (a browser's preconnect) holds up no other.
            _ = ForwardAsync(client);
        }
    }

    private async Task ForwardAsync(TcpClient client)
    {
        byte[] head = [];
        if (RefuseWebSocketUpgrades)
        {
            head = await ReadHeadAsync(client);
            if (IsWebSocketUpgrade(head))
            {
                Interlocked.Increment(ref _refusedUpgrades);
                await RefuseAsync(client);
                return;
            }
        }
        var upstream = new TcpClient();
        Uri target;
        try
        {
            var targets = _targets;
            target = targets[(int)((uint)Interlocked.Increment(ref _next) % targets.Length)];
            await upstream.ConnectAsync(target.Host, target.Port, _stop.Token);
            if (head.Length > 0)
            {
                await upstream.GetStream().WriteAsync(head, _stop.Token);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException or IOException)
        {
            client.Dispose();
            upstream.Dispose();
            return;
        }
        lock (_gate)
        {
            _links.Add((client, upstream));
            _accepted++;
            _forwardedTo[target.Port] = _forwardedTo.GetValueOrDefault(target.Port) + 1;
        }
        _ = PumpAsync(client, upstream);
        _ = PumpAsync(upstream, client);
    }

    /// <summary>Reads the connection's first request head (bounded; what follows it in the same read comes along).</summary>
    private async Task<byte[]> ReadHeadAsync(TcpClient client)
    {
        var buffer = new byte[16 * 1024];
        var length = 0;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            while (length < buffer.Length)
            {
                var read = await client.GetStream().ReadAsync(buffer.AsMemory(length), timeout.Token);
                if (read == 0)
                {
                    break;
                }
                length += read;
                if (buffer.AsSpan(0, length).IndexOf("\r\n\r\n"u8) >= 0)
                {
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or IOException or SocketException)
        {
            // Forward what came; the server judges it.
        }
        return buffer[..length];
    }

    private static bool IsWebSocketUpgrade(byte[] head)
    {
        var text = System.Text.Encoding.ASCII.GetString(head);
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        return (end < 0 ? text : text[..end]).Split("\r\n").Any(line =>
            line.StartsWith("upgrade:", StringComparison.OrdinalIgnoreCase) && line.Contains("websocket", StringComparison.OrdinalIgnoreCase));
    }

    private static async Task RefuseAsync(TcpClient client)
    {
        try
        {
            await client.GetStream().WriteAsync("HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nContent-Length: 21\r\nConnection: close\r\n\r\nWebSockets are banned"u8.ToArray());
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or SocketException)
        {
            // The client left already.
        }
        client.Dispose();
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
