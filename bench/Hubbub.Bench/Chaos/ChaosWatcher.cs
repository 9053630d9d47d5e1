using System.Text;
using System.Text.Json;
using Hubbub.Bench.Clients;

namespace Hubbub.Bench.Chaos;

/// <summary>
/// A participant who only reads, as an app's client does: subscribed to the conversation (recovering from its last
/// offset and epoch after every reconnect) and to the lobby (for presence). Remembers every message's
/// <c>client_id</c> it got, duplicates, and every <c>recovered:false</c> the server said (the client would then
/// reload the conversation from the API; what it missed is recoverable, and the server said so).
/// </summary>
internal sealed class ChaosWatcher : IAsyncDisposable
{
    private readonly IReadOnlyList<ChaosNode> _nodes;
    private readonly int _home;
    private readonly string _conversation;
    private readonly string _lobby;
    private readonly CancellationTokenSource _stop = new();
    private readonly object _gate = new();
    private readonly Dictionary<string, (string? Epoch, long Offset)> _seen = [];
    private readonly List<DateTimeOffset> _declared = [];
    private Task _loop = Task.CompletedTask;
    private long _offset;
    private string? _epoch;
    private bool _live;
    private int _duplicates;

    public ChaosWatcher(IReadOnlyList<ChaosNode> nodes, string user, int home, string conversation, string lobby)
    {
        _nodes = nodes;
        User = user;
        _home = home;
        _conversation = conversation;
        _lobby = lobby;
    }

    /// <summary>The user.</summary>
    public string User { get; }

    /// <summary>Connections made (the first and every reconnect).</summary>
    public int Connections { get; private set; }

    /// <summary>Whether both subscriptions are answered on an open connection now.</summary>
    public bool Live
    {
        get
        {
            lock (_gate)
            {
                return _live;
            }
        }
    }

    /// <summary>The last error frame the server sent (a refused subscription), for the report.</summary>
    public string? LastError { get; private set; }

    /// <summary><c>stream_reset</c> events the server sent (Redis lost the stream).</summary>
    public int Resets { get; private set; }

    /// <summary>Messages delivered again as a new publication (a new offset): the outbox's at-least-once.</summary>
    public int Republished { get; private set; }

    /// <summary>Publications delivered twice (the same offset of the same epoch).</summary>
    public int Duplicates => Volatile.Read(ref _duplicates);

    /// <summary>Starts the connect-and-recover loop and waits (bounded) until the first subscriptions are answered.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _loop = RunAsync(_stop.Token);
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!Live && DateTime.UtcNow < until)
        {
            await Task.Delay(50, cancellationToken);
        }
        if (!Live)
        {
            throw new TimeoutException($"{User} could not subscribe within 30 s");
        }
    }

    /// <summary>Whether the message <paramref name="clientId"/> acknowledged at <paramref name="ackedAt"/> arrived, or a
    /// <c>recovered:false</c> after it said it may not have (null: neither, yet).</summary>
    public (bool Seen, bool Declared) Status(string clientId, DateTimeOffset ackedAt)
    {
        lock (_gate)
        {
            return (_seen.ContainsKey(clientId), _declared.Any(d => d >= ackedAt));
        }
    }

    /// <summary>How many <c>recovered:false</c> the server said.</summary>
    public int DeclaredCount
    {
        get
        {
            lock (_gate)
            {
                return _declared.Count;
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
            // Stopped on purpose.
        }
        _stop.Dispose();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var attempt = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            var node = _nodes[(_home + attempt) % _nodes.Count];
            WsClient client;
            try
            {
                client = await ChaosConnect.ConnectAsync(node, User, cancellationToken);
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or System.Net.WebSockets.WebSocketException
                                       or HttpRequestException && !cancellationToken.IsCancellationRequested)
            {
                attempt++;
                await Task.Delay(250, cancellationToken);
                continue;
            }
            Connections++;
            var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var answered = 0;
            client.StartReceiving(frame =>
            {
                if (OnFrame(frame) && Interlocked.Increment(ref answered) == 2)
                {
                    lock (_gate)
                    {
                        _live = true;
                    }
                }
            }, () => closed.TrySetResult());
            try
            {
                string since;
                lock (_gate)
                {
                    since = _epoch is null ? "" : $$""","since":{"offset":{{_offset}},"epoch":"{{_epoch}}"}""";
                }
                await client.SendAsync(Encoding.UTF8.GetBytes("{\"type\":\"subscribe\",\"id\":1,\"data\":{\"channel\":\"" + _conversation + "\"" + since + "}}"),
                    cancellationToken);
                await client.SendAsync(Encoding.UTF8.GetBytes("{\"type\":\"subscribe\",\"id\":2,\"data\":{\"channel\":\"" + _lobby + "\"}}"), cancellationToken);
                // A subscription never answered (a stopped node) is given up after a bound, like any request.
                var first = await Task.WhenAny(closed.Task, Task.Delay(ChaosSession.AnswerBound, cancellationToken));
                if (first == closed.Task || Volatile.Read(ref answered) < 2)
                {
                    attempt++;
                }
                else
                {
                    attempt = 0;
                    await closed.Task.WaitAsync(cancellationToken);
                }
            }
            catch (Exception ex) when (ex is IOException or System.Net.WebSockets.WebSocketException && !cancellationToken.IsCancellationRequested)
            {
                attempt++;
            }
            finally
            {
                lock (_gate)
                {
                    _live = false;
                }
                await client.DisposeAsync();
            }
        }
    }

    /// <summary>Handles one frame; true when it answered one of the two subscriptions.</summary>
    private bool OnFrame(ReadOnlySpan<byte> frame)
    {
        using var json = JsonDocument.Parse(frame.ToArray());
        var root = json.RootElement;
        var type = root.GetProperty("type").GetString();
        if (type == "reply" && root.TryGetProperty("id", out var id))
        {
            if (id.GetInt32() == 1)
            {
                var data = root.GetProperty("data");
                var recovered = data.TryGetProperty("recovered", out var r) ? r.GetBoolean() : (bool?)null;
                lock (_gate)
                {
                    if (recovered == false)
                    {
                        _declared.Add(DateTimeOffset.UtcNow);
                    }
                    if (recovered != true)
                    {
                        _offset = data.GetProperty("offset").GetInt64();
                    }
                    _epoch = data.GetProperty("epoch").GetString();
                }
            }
            return true;
        }
        if (type == "error")
        {
            // A refused subscription leaves it unanswered: the loop gives up on this connection and reconnects.
            lock (_gate)
            {
                LastError = Encoding.UTF8.GetString(frame);
            }
            return false;
        }
        if (type == "stream_reset" && root.TryGetProperty("channel", out var reset) && reset.GetString() == _conversation)
        {
            // Redis lost the stream: delivery goes on in a new epoch after `offset`. Offset 0 loses nothing of the new
            // epoch (what the old one's subscribers already got stays got); a higher one says those were never sent.
            var data = root.GetProperty("data");
            var offset = data.GetProperty("offset").GetInt64();
            lock (_gate)
            {
                Resets++;
                if (offset > 0)
                {
                    _declared.Add(DateTimeOffset.UtcNow);
                }
                _epoch = data.GetProperty("epoch").GetString();
                _offset = offset;
            }
            return false;
        }
        if (type == "message" && root.TryGetProperty("channel", out var channel) && channel.GetString() == _conversation)
        {
            var clientId = root.GetProperty("data").TryGetProperty("client_id", out var c) ? c.GetString() : null;
            lock (_gate)
            {
                _offset = root.GetProperty("offset").GetInt64();
                if (clientId is null)
                {
                    return false;
                }
                if (_seen.TryGetValue(clientId, out var first))
                {
                    // The same publication twice (same epoch and offset) breaks the protocol's "no duplicate"; the same
                    // message published again under a new offset is the outbox's at-least-once (a node died after
                    // publishing, before marking it done), which the message's id lets a client see through.
                    if (first == (_epoch, _offset))
                    {
                        _duplicates++;
                    }
                    else
                    {
                        Republished++;
                    }
                }
                else
                {
                    _seen[clientId] = (_epoch, _offset);
                }
            }
        }
        return false;
    }
}
