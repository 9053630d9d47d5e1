using Hubbub.Core.Seams;

namespace Hubbub.Core;

/// <summary>
/// Settings of the real-time engine, bound from the configuration section <c>Hubbub</c>
/// (environment <c>Hubbub__Name</c>). Every default is safe for a public deployment.
/// </summary>
public sealed class HubbubOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Hubbub";

    /// <summary>How often the server proves it is alive when it has nothing else to send (ms). Announced in <c>welcome</c>.</summary>
    public int HeartbeatMs { get; set; } = 25_000;

    /// <summary>
    /// A connection that answers no WebSocket ping for this long is closed and its presence removed (ms).
    /// 0 means twice <see cref="HeartbeatMs"/>.
    /// </summary>
    public int ClientTimeoutMs { get; set; }

    /// <summary>
    /// Accept a connection whose first request is a plain, authorized upgrade of <c>/ws</c> on the connection itself,
    /// ahead of the HTTP layer, so the socket keeps no HTTP request state (about half the memory of an idle
    /// connection). Every other request, and every upgrade refused or unusual, is answered by the HTTP layer either
    /// way. Read by the server host; false sends every upgrade through the HTTP layer.
    /// </summary>
    public bool ConnectionLevelAccept { get; set; } = true;

    /// <summary>Largest client frame in bytes; a larger one closes the connection with 1009.</summary>
    public int MaxFrameBytes { get; set; } = 64 * 1024;

    /// <summary>Frames queued for one connection before it counts as a slow consumer and is closed with 4000.</summary>
    public int SendQueueCapacity { get; set; } = 1024;

    /// <summary>
    /// Bytes queued for one connection (frames waiting plus the batch being written) before it counts as a slow
    /// consumer and is closed with 4000, whichever of this and <see cref="SendQueueCapacity"/> comes first. A frame
    /// larger than this is still taken by an empty queue, so one big frame never closes an idle connection.
    /// </summary>
    public long SendQueueMaxBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>
    /// How long a closing socket's close frame may take before the socket and its TCP connection are aborted (ms); also
    /// how long a connection accepted on the connection level may take, after its close handshake, to send what it still
    /// buffers before it is aborted.
    /// </summary>
    public int SlowConsumerCloseGraceMs { get; set; } = 5_000;

    /// <summary>Channels one connection may be subscribed to at once.</summary>
    public int MaxSubscriptionsPerConnection { get; set; } = 128;

    /// <summary>
    /// Channels a client may ask for in its connect (<c>subscribe=</c> on <c>/ws</c> or <c>/ws/sse</c>); more are refused
    /// with 400 before the upgrade. Each still counts toward <see cref="MaxSubscriptionsPerConnection"/>.
    /// </summary>
    public int MaxSubscriptionsAtConnect { get; set; } = 16;

    /// <summary>Connections one user may hold on this node; one more is closed with 4029.</summary>
    public int MaxConnectionsPerUser { get; set; } = 16;

    /// <summary>Longest channel name.</summary>
    public int MaxChannelLength { get; set; } = 200;

    /// <summary>Client frames per second a connection may send, sustained.</summary>
    public double MessagesPerSecond { get; set; } = 100;

    /// <summary>Client frames a connection may send in a burst above the sustained rate.</summary>
    public int Burst { get; set; } = 200;

    /// <summary>
    /// Frames refused with <c>rate_limited</c>, each within a second of the one before (frames let through in between
    /// do not reset the count), after which the connection is closed with 1008.
    /// </summary>
    public int FloodCloseAfter { get; set; } = 100;

    /// <summary>After the last <c>is_typing:true</c>, the server announces <c>is_typing:false</c> this much later (ms).</summary>
    public int TypingTimeoutMs { get; set; } = 3_000;

    /// <summary>Cursor events of one user on one channel are sent at most once per this interval (ms).</summary>
    public int CursorIntervalMs { get; set; } = 100;

    /// <summary>Largest <c>limit</c> a <c>history</c> request may ask for.</summary>
    public int MaxHistoryLimit { get; set; } = 1_000;

    /// <summary>
    /// Largest total of publication frames in one <c>history</c> reply (bytes). A reply that would be larger holds the
    /// oldest publications that fit (at least one) and says <c>truncated:true</c>; the client asks again from the last
    /// offset it got. Must be below <see cref="SendQueueMaxBytes"/>.
    /// </summary>
    public int MaxHistoryReplyBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// Largest total of publication frames a <c>subscribe</c> with <c>since</c> replays (bytes, default 4 MiB: 200
    /// missed publications of 20 KB, or 68 of 60 KB). Missed publications larger in total answer <c>recovered:false</c>
    /// and replay none (they are still in history: the client pages them with <c>history</c>). The replay is queued at
    /// once, so it must be below <see cref="SendQueueMaxBytes"/>, which bounds a connection's memory all the same.
    /// </summary>
    public int MaxRecoveryBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>
    /// Bytes of publications the in-memory history holds on this node, all channels together (default 256 MiB). Past it
    /// the oldest publications go first, whatever their channel; a client recovering from before them is told
    /// <c>recovered:false</c>, as when count or age trimmed them. Each publication counts its frame, its data and
    /// <see cref="Memory.MemoryHistoryStore.EntryOverheadBytes"/>. Not used with Redis (bound Redis with its own <c>maxmemory</c>).
    /// </summary>
    public long MaxHistoryBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>History kept per channel unless its namespace says otherwise.</summary>
    public NamespaceOptions History { get; set; } = new();

    /// <summary>Per-namespace history settings, by namespace name (e.g. <c>Hubbub:Namespaces:public:HistorySize</c>).</summary>
    public Dictionary<string, NamespaceOptions> Namespaces { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Seconds a connection may stay open after its token expired without a <c>refresh</c>, then it is closed with
    /// 4401 (token expired). Covers a client whose refresh is on its way and small clock differences.
    /// </summary>
    public int TokenExpiryGraceSeconds { get; set; } = 10;

    /// <summary>How long shutdown waits for connections to finish their close handshake (ms).</summary>
    public int ShutdownGraceMs { get; set; } = 5_000;

    /// <summary>This node's name in <c>welcome</c> and logs; empty means host name plus process id.</summary>
    public string NodeId { get; set; } = string.Empty;

    /// <summary>
    /// Every this many seconds the server hands the C library's freed native memory back to the operating system
    /// (glibc's <c>malloc_trim</c>; nothing elsewhere). Connection churn frees native memory in pages glibc would
    /// otherwise keep for good; 0 turns it off.
    /// </summary>
    public int NativeMemoryTrimSeconds { get; set; } = 60;

    /// <summary>The effective client timeout.</summary>
    public TimeSpan EffectiveClientTimeout => TimeSpan.FromMilliseconds(ClientTimeoutMs > 0 ? ClientTimeoutMs : HeartbeatMs * 2);

    /// <summary>The history policy of a namespace.</summary>
    public HistoryPolicy HistoryFor(string ns)
    {
        var o = Namespaces.GetValueOrDefault(ns);
        return new HistoryPolicy(o?.HistorySize ?? History.HistorySize ?? 200,
            TimeSpan.FromSeconds(o?.HistoryTtlSeconds ?? History.HistoryTtlSeconds ?? 600));
    }

    /// <summary>
    /// Whether channels of a namespace announce <c>presence_join</c> and <c>presence_leave</c> (default yes). When
    /// off, presence is still kept and answered by <c>presence</c>; only the announcements stop, which makes a
    /// broadcast channel of thousands cheap to join (every join is otherwise sent to every member).
    /// </summary>
    public bool JoinLeaveFor(string ns) => Namespaces.GetValueOrDefault(ns)?.JoinLeave ?? true;

    /// <summary><see cref="JoinLeaveFor"/> the namespace of <paramref name="channel"/> (the part before its first ':').</summary>
    public bool JoinLeaveForChannel(string channel)
    {
        var colon = channel.IndexOf(':', StringComparison.Ordinal);
        return colon <= 0 || JoinLeaveFor(channel[..colon]);
    }

    /// <summary>Checks every value; returns the problems found (empty when valid).</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        void Positive(string name, double value)
        {
            if (value <= 0)
            {
                errors.Add($"Hubbub:{name} must be greater than 0 (it is {value}).");
            }
        }
        Positive(nameof(HeartbeatMs), HeartbeatMs);
        Positive(nameof(MaxFrameBytes), MaxFrameBytes);
        Positive(nameof(SendQueueCapacity), SendQueueCapacity);
        Positive(nameof(SendQueueMaxBytes), SendQueueMaxBytes);
        Positive(nameof(MaxHistoryReplyBytes), MaxHistoryReplyBytes);
        Positive(nameof(MaxRecoveryBytes), MaxRecoveryBytes);
        Positive(nameof(MaxSubscriptionsPerConnection), MaxSubscriptionsPerConnection);
        Positive(nameof(MaxSubscriptionsAtConnect), MaxSubscriptionsAtConnect);
        Positive(nameof(MaxConnectionsPerUser), MaxConnectionsPerUser);
        Positive(nameof(MaxChannelLength), MaxChannelLength);
        Positive(nameof(MessagesPerSecond), MessagesPerSecond);
        Positive(nameof(Burst), Burst);
        Positive(nameof(FloodCloseAfter), FloodCloseAfter);
        Positive(nameof(TypingTimeoutMs), TypingTimeoutMs);
        Positive(nameof(CursorIntervalMs), CursorIntervalMs);
        Positive(nameof(MaxHistoryLimit), MaxHistoryLimit);
        if (MaxHistoryReplyBytes >= SendQueueMaxBytes)
        {
            errors.Add($"Hubbub:MaxHistoryReplyBytes ({MaxHistoryReplyBytes}) must be below Hubbub:SendQueueMaxBytes ({SendQueueMaxBytes}), " +
                "or a history reply would close its own connection as a slow consumer.");
        }
        if (MaxRecoveryBytes >= SendQueueMaxBytes)
        {
            errors.Add($"Hubbub:MaxRecoveryBytes ({MaxRecoveryBytes}) must be below Hubbub:SendQueueMaxBytes ({SendQueueMaxBytes}), " +
                "or a recovery would close its own connection as a slow consumer.");
        }
        Positive(nameof(MaxHistoryBytes), MaxHistoryBytes);
        if (TokenExpiryGraceSeconds < 0)
        {
            errors.Add("Hubbub:TokenExpiryGraceSeconds must be 0 or more.");
        }
        if (ClientTimeoutMs < 0)
        {
            errors.Add("Hubbub:ClientTimeoutMs must be 0 (twice the heartbeat) or more.");
        }
        if (NativeMemoryTrimSeconds < 0)
        {
            errors.Add("Hubbub:NativeMemoryTrimSeconds must be 0 (off) or more.");
        }
        foreach (var (name, ns) in Namespaces.Append(new("(default)", History)))
        {
            if (ns.HistorySize < 0 || ns.HistoryTtlSeconds < 0)
            {
                errors.Add($"Hubbub:Namespaces:{name}: history size and TTL must not be negative.");
            }
        }
        return errors;
    }
}

/// <summary>Settings of a namespace; unset history values fall back to <see cref="HubbubOptions.History"/>.</summary>
public sealed class NamespaceOptions
{
    /// <summary>Publications kept per channel (default 200; 0 keeps none, so recovery always fails).</summary>
    public int? HistorySize { get; set; }

    /// <summary>Seconds a publication is kept (default 600).</summary>
    public int? HistoryTtlSeconds { get; set; }

    /// <summary>Announce <c>presence_join</c>/<c>presence_leave</c> (default true; see <see cref="HubbubOptions.JoinLeaveFor"/>).</summary>
    public bool? JoinLeave { get; set; }
}
