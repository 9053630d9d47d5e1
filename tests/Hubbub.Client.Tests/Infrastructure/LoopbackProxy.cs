using System.Net;
using System.Net.Sockets;

namespace Hubbub.Client.Tests.Infrastructure;

/// <summary>
/// A TCP proxy on 127.0.0.1 in front of a server, so a test can cut every connection abruptly (no close frame,
/// like a dead network) and refuse new ones for a while — the server itself keeps running.
/// </summary>
public sealed class LoopbackProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _targetPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<(TcpClient Client, TcpClient Upstream)> _links = [];
    private readonly Lock _gate = new();
    private readonly Task _accept;
    private volatile bool _refusing;

    public LoopbackProxy(int targetPort)
    {
        _targetPort = targetPort;
        _listener.Start();
        _accept = Task.Run(AcceptLoopAsync);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public Uri WsUrl => new($"ws://127.0.0.1:{Port}/ws");

    /// <summary>Connections accepted and forwarded so far.</summary>
    public int Accepted { get; private set; }

    /// <summary>Cuts every open connection (RST) and, while <paramref name="refuse"/>, closes new ones at once.</summary>
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
        catch (ObjectDisposedException)
        {
            // Already closed by its pump.
        }
    }

    /// <summary>Accepts and forwards connections again.</summary>
    public void Restore() => _refusing = false;

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception)
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
                await upstream.ConnectAsync(IPAddress.Loopback, _targetPort, _stop.Token);
            }
            catch (Exception)
            {
                client.Dispose();
                upstream.Dispose();
                continue;
            }
            lock (_gate)
            {
                _links.Add((client, upstream));
                Accepted++;
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
        catch (Exception)
        {
            // Either side went away; the other is closed below.
        }
        from.Dispose();
        to.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        Drop(refuse: true);
        await _accept;
        _stop.Dispose();
    }
}
