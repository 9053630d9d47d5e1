using Hubbub.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hubbub.Client;

/// <summary>
/// A resilient Hubbub connection: one WebSocket multiplexing every channel, reconnected with exponential backoff
/// and full jitter, guarded by a circuit breaker and a heartbeat watchdog, with an offline queue for requests and
/// gap-free recovery of subscriptions. Create it, subscribe, and handle events; the client does the rest.
/// </summary>
/// <example>
/// <code>
/// await using var client = new HubbubClient(new HubbubClientOptions { Url = new("ws://127.0.0.1:5080/ws"), Token = jwt });
/// await client.ConnectAsync();
/// var lobby = await client.SubscribeAsync("public:lobby");
/// await foreach (var e in lobby.ReadAllAsync()) Console.WriteLine(e.Data);
/// </code>
/// </example>
public sealed partial class HubbubClient : IAsyncDisposable
{
    private readonly HubbubClientOptions _options;
    private readonly Uri _url;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly ReconnectPolicy _policy;
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _firstConnected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _run;
    private bool _disposing;
    private bool _stopped;
    private string? _stopReason;
    private ConnectionState _state = ConnectionState.Disconnected;

    /// <summary>Creates a client; nothing connects until <see cref="ConnectAsync"/>.</summary>
    public HubbubClient(HubbubClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _url = WebSocketUrl(options.Url!);
        _time = options.TimeProvider;
        _logger = options.Logger ?? (ILogger?)options.LoggerFactory?.CreateLogger<HubbubClient>() ?? NullLogger.Instance;
        _policy = new ReconnectPolicy(options);
        Rest = new HubbubRestClient(options, _url);
    }

    /// <summary>The server's REST API, called with this client's token (see <see cref="HubbubRestClient"/>).</summary>
    public HubbubRestClient Rest { get; }

    /// <summary>The current connection state.</summary>
    public ConnectionState State
    {
        get { lock (_gate) { return _state; } }
    }

    /// <summary>The last <c>welcome</c> the server sent (user, connection id, heartbeat, limits); null before the first.</summary>
    public WelcomeData? Welcome { get; private set; }

    /// <summary>
    /// Every state change: Connecting, Connected, Disconnected (with the close code), Reconnecting (with the delay),
    /// CircuitOpen (with the cool-down) and the terminal Stopped. Raised on the client's connection loop; keep it short.
    /// </summary>
    public event EventHandler<ConnectionStateChangedEventArgs>? StateChanged;

    /// <summary>The offline queue was full and its oldest request was dropped (that request's task fails with <see cref="HubbubConnectionException"/>).</summary>
    public event EventHandler<MessageDroppedEventArgs>? MessageDropped;

    /// <summary>
    /// Starts the connection loop (once) and waits until the first connection is welcomed. If the server refuses for
    /// good (401/403, close 4400–4499) it throws <see cref="HubbubConnectionException"/>. Cancelling
    /// <paramref name="ct"/> only stops the waiting: the client keeps trying until disposed.
    /// </summary>
    public async Task ConnectAsync(CancellationToken ct = default)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposing, this);
            _run ??= Task.Run(() => RunAsync(_stop.Token), CancellationToken.None);
        }
        await _firstConnected.Task.WaitAsync(ct);
    }

    /// <summary>
    /// Closes the connection with 1000 (normal), ends every subscription stream, fails requests still waiting with
    /// <see cref="HubbubConnectionException"/>, and stops reconnecting.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        Session? session;
        Task? run;
        lock (_gate)
        {
            if (_disposing)
            {
                return;
            }
            _disposing = true;
            session = _current;
            run = _run;
        }
        if (session is not null)
        {
            await session.CloseAsync(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, "client closing", TimeSpan.FromSeconds(2), TimeProvider.System);
        }
        await _stop.CancelAsync();
        if (run is not null)
        {
            try
            {
                await run;
            }
            catch (OperationCanceledException)
            {
                // The loop was waiting (backoff, connect) when it was stopped.
            }
        }
        lock (_gate)
        {
            StopRefreshLocked();
        }
        StopEverything("the client was disposed", closeStreamsWithError: false);
        Rest.Dispose();
        if (State != ConnectionState.Stopped)
        {
            SetState(ConnectionState.Stopped, closeCode: CloseCodes.Normal, reason: "closed by the client");
        }
        _stop.Dispose();
    }

    private static Uri WebSocketUrl(Uri url)
    {
        var builder = new UriBuilder(url);
        builder.Scheme = builder.Scheme switch { "http" => "ws", "https" => "wss", _ => builder.Scheme };
        if (builder.Uri.IsDefaultPort)
        {
            builder.Port = -1;
        }
        return builder.Uri;
    }

    private void SetState(ConnectionState state, TimeSpan? delay = null, int? closeCode = null, string? reason = null, Exception? exception = null)
    {
        ConnectionState previous;
        lock (_gate)
        {
            previous = _state;
            _state = state;
        }
        Raise(StateChanged, new ConnectionStateChangedEventArgs(state, previous, _policy.Failures, delay, closeCode, reason, exception));
    }

    private void Raise<T>(EventHandler<T>? handler, T args)
    {
        try
        {
            handler?.Invoke(this, args);
        }
        catch (Exception ex)
        {
            Log.HandlerFailed(_logger, ex);
        }
    }

    private void ReportHandlerFailure(Exception ex) => Log.HandlerFailed(_logger, ex);
}
