using System.Collections.Concurrent;
using System.Diagnostics;

namespace Hubbub.Bench.Chaos;

/// <summary>
/// The steady load of a chaos run and its ledger of what the clients were told. Chatters send <c>chat.send</c> with a
/// <c>client_id</c>, bidders bid on one auction (<c>auction.bid</c>, amounts from one shared counter, a
/// <c>client_id</c> each), venue members check in and out (a <c>client_id</c> each). Each worker retries a request whose outcome it does not
/// know (no answer, connection lost, a transient error) with the same <c>client_id</c> until it gets an answer, as an
/// app would; it can be paused between requests so the checks compare a quiet cluster with the ledger.
/// </summary>
internal sealed class ChaosLoad : IAsyncDisposable
{
    /// <summary>How long a worker keeps retrying one request before it records the outcome as unknown.</summary>
    public static readonly TimeSpan RetryBound = TimeSpan.FromSeconds(90);

    private readonly IReadOnlyList<ChaosNode> _nodes;
    private readonly ChaosSettings _settings;
    private readonly string _conversation;
    private readonly string _auction;
    private readonly string _venue;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _workers = [];
    private readonly List<ChaosSession> _sessions = [];
    private volatile bool _paused;
    private int _busy;
    private long _nextAmount;

    public ChaosLoad(IReadOnlyList<ChaosNode> nodes, ChaosSettings settings, string conversation, string auction, string venue)
    {
        _nodes = nodes;
        _settings = settings;
        _conversation = conversation;
        _auction = auction;
        _venue = venue;
        Members = [.. Enumerable.Range(0, settings.WorkersPerKind).Select(m => new MemberLedger(Member(m)))];
    }

    /// <summary>A chatter's user id.</summary>
    public static string Chatter(int i) => $"chat{i}";

    /// <summary>A bidder's user id.</summary>
    public static string Bidder(int i) => $"bid{i}";

    /// <summary>A venue member's user id.</summary>
    public static string Member(int i) => $"member{i}";

    /// <summary>Messages acknowledged: client_id → when the reply came.</summary>
    public ConcurrentDictionary<string, DateTimeOffset> AckedMessages { get; } = new();

    /// <summary>Bids acknowledged: amount → bidder.</summary>
    public ConcurrentDictionary<long, string> AckedBids { get; } = new();

    /// <summary>Bids refused as too low (overtaken by a racing bid: not committed).</summary>
    public ConcurrentDictionary<long, string> RefusedBids { get; } = new();

    /// <summary>Requests whose outcome stayed unknown after <see cref="RetryBound"/>.</summary>
    public ConcurrentBag<string> Unresolved { get; } = [];

    /// <summary>Answers no correct server gives (e.g. <c>already_checked_in</c> for a member the ledger has outside).</summary>
    public ConcurrentBag<string> Unexpected { get; } = [];

    /// <summary>Each venue member's ledger.</summary>
    public IReadOnlyList<MemberLedger> Members { get; }

    /// <summary>Attempts that failed in transit or with a transient error, and were retried.</summary>
    public long Retries => Interlocked.Read(ref _retries);

    private long _retries;

    /// <summary>Connections the workers replaced.</summary>
    public int Reconnects => _sessions.Sum(s => s.Reconnects);

    /// <summary>Starts every worker, spread over the nodes.</summary>
    public void Start()
    {
        for (var i = 0; i < _settings.WorkersPerKind; i++)
        {
            var (chat, bid, member) = (Session(Chatter(i), i), Session(Bidder(i), i + 1), Session(Member(i), i + 2));
            var index = i;
            _workers.Add(PacedAsync((n, ct) => ChatAsync(chat, n, ct)));
            _workers.Add(PacedAsync((n, ct) => BidAsync(bid, n, ct)));
            _workers.Add(PacedAsync((n, ct) => CheckInOrOutAsync(member, Members[index], n, ct)));
        }
    }

    /// <summary>Stops starting requests and waits (bounded) until none is in flight.</summary>
    public async Task PauseAsync(CancellationToken cancellationToken)
    {
        _paused = true;
        var until = Stopwatch.StartNew();
        while (Volatile.Read(ref _busy) > 0 && until.Elapsed < RetryBound + TimeSpan.FromSeconds(10))
        {
            await Task.Delay(50, cancellationToken);
        }
    }

    /// <summary>Lets the workers go on.</summary>
    public void Resume() => _paused = false;

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await Task.WhenAll(_workers);
        }
        catch (OperationCanceledException)
        {
            // Stopped on purpose.
        }
        foreach (var session in _sessions)
        {
            await session.DisposeAsync();
        }
        _stop.Dispose();
    }

    private ChaosSession Session(string user, int home)
    {
        var session = new ChaosSession(_nodes, user, home % _nodes.Count);
        _sessions.Add(session);
        return session;
    }

    private async Task PacedAsync(Func<long, CancellationToken, Task> operation)
    {
        var cancellationToken = _stop.Token;
        var interval = TimeSpan.FromSeconds(1 / _settings.OpsPerSecond);
        var next = Stopwatch.GetTimestamp();
        for (long n = 0; !cancellationToken.IsCancellationRequested; n++)
        {
            while (_paused)
            {
                await Task.Delay(50, cancellationToken);
            }
            Interlocked.Increment(ref _busy);
            try
            {
                if (_paused)
                {
                    n--;
                    continue;
                }
                await operation(n, cancellationToken);
            }
            finally
            {
                Interlocked.Decrement(ref _busy);
            }
            // A steady rate: the next request at its slot; a slot missed during a fault is skipped, not made up.
            next += (long)(interval.TotalSeconds * Stopwatch.Frequency);
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), next);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, cancellationToken);
            }
            else
            {
                next = Stopwatch.GetTimestamp();
            }
        }
    }

    /// <summary>Sends until an answer that is not transient comes; null after <see cref="RetryBound"/>. <c>Retried</c>
    /// says whether an earlier attempt's outcome was unknown (it may have taken effect).</summary>
    private async Task<(ChaosSession.Answer? Answer, bool Retried)> UntilAnsweredAsync(ChaosSession session, string type, string data,
        CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var retried = false;
        while (clock.Elapsed < RetryBound)
        {
            var answer = await session.TryAsync(type, data, cancellationToken);
            if (answer is { Transient: false })
            {
                return (answer, retried);
            }
            retried = true;
            Interlocked.Increment(ref _retries);
            await Task.Delay(250, cancellationToken);
        }
        return (null, retried);
    }

    private async Task ChatAsync(ChaosSession session, long n, CancellationToken cancellationToken)
    {
        var clientId = $"{session.User}-{n}";
        var (answer, _) = await UntilAnsweredAsync(session, "chat.send",
            $$"""{"conversation":"{{_conversation}}","text":"{{clientId}}","client_id":"{{clientId}}"}""", cancellationToken);
        if (answer is null)
        {
            Unresolved.Add($"chat.send {clientId}");
        }
        else if (answer.Ok)
        {
            AckedMessages[clientId] = DateTimeOffset.UtcNow;
        }
        else
        {
            Unexpected.Add($"chat.send {clientId}: {answer.Raw}");
        }
    }

    private async Task BidAsync(ChaosSession session, long n, CancellationToken cancellationToken)
    {
        var amount = Interlocked.Increment(ref _nextAmount);
        var (answer, _) = await UntilAnsweredAsync(session, "auction.bid",
            $$"""{"auction":"{{_auction}}","amount":{{amount}},"client_id":"{{session.User}}-{{n}}"}""", cancellationToken);
        if (answer is null)
        {
            Unresolved.Add($"auction.bid {amount}");
        }
        else if (answer.Ok)
        {
            AckedBids[amount] = session.User;
        }
        else if (answer.Reason == "bid_too_low")
        {
            RefusedBids[amount] = session.User;
        }
        else
        {
            Unexpected.Add($"auction.bid {amount}: {answer.Raw}");
        }
    }

    private async Task CheckInOrOutAsync(ChaosSession session, MemberLedger member, long n, CancellationToken cancellationToken)
    {
        var checkingIn = !member.Inside;
        // A client_id per request: a retry, or a late copy a stopped node still held, is the same request.
        var (answer, retried) = await UntilAnsweredAsync(session, checkingIn ? "venues.checkin" : "venues.checkout",
            $$"""{"venue":"{{_venue}}","client_id":"{{member.User}}-{{n}}"}""", cancellationToken);
        retried |= member.Uncertain;
        if (answer is null)
        {
            // Unknown: the next attempt sends the same command and reads a conflict as "the earlier one took effect".
            member.Uncertain = true;
            Unresolved.Add($"{(checkingIn ? "checkin" : "checkout")} {member.User}");
            return;
        }
        member.Uncertain = false;
        var conflict = checkingIn ? "already_checked_in" : "not_checked_in";
        if (!answer.Ok && answer.Reason != conflict)
        {
            Unexpected.Add($"{member.User} {(checkingIn ? "checkin" : "checkout")}: {answer.Raw}");
            return;
        }
        if (!answer.Ok && !retried)
        {
            // The server disagrees with a ledger no failed attempt made uncertain: something the client never
            // asked for (or asked for once) happened. Re-synchronised, and counted; the database check shows it too.
            Unexpected.Add($"{member.User} {(checkingIn ? "checkin" : "checkout")}: {answer.Reason} without an earlier attempt");
            member.Inside = checkingIn;
            return;
        }
        member.Inside = checkingIn;
        if (checkingIn)
        {
            member.CheckIns++;
        }
        else
        {
            member.CheckOuts++;
        }
    }

    /// <summary>What one venue member did, as the client knows it.</summary>
    internal sealed class MemberLedger(string user)
    {
        /// <summary>The member.</summary>
        public string User => user;

        /// <summary>Checked in now.</summary>
        public bool Inside { get; set; }

        /// <summary>The last command's outcome is unknown.</summary>
        public bool Uncertain { get; set; }

        /// <summary>Check-ins that took effect.</summary>
        public int CheckIns { get; set; }

        /// <summary>Check-outs that took effect.</summary>
        public int CheckOuts { get; set; }
    }
}
