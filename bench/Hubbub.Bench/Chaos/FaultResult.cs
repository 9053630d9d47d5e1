namespace Hubbub.Bench.Chaos;

/// <summary>
/// The checks after one fault (cumulative over the run: every request the clients made since the start is compared
/// with the database and the subscribers, so a loss found once stays in every later row).
/// </summary>
public sealed record FaultResult
{
    /// <summary>The fault, e.g. <c>SIGKILL chaos-b</c>.</summary>
    public required string Fault { get; init; }

    /// <summary>The round.</summary>
    public required int Round { get; init; }

    /// <summary>From the end of the fault (restart, SIGCONT) until every check held; the bound when one never did.</summary>
    public TimeSpan Converged { get; set; }

    /// <summary>Messages the senders got a reply for.</summary>
    public int MessagesAcked { get; set; }

    /// <summary>Acknowledged messages missing from the database.</summary>
    public int MessagesLost { get; set; }

    /// <summary>Messages stored more than once.</summary>
    public int MessagesDuplicated { get; set; }

    /// <summary>Bids the bidders got a reply for.</summary>
    public int BidsAcked { get; set; }

    /// <summary>Acknowledged bids missing from the database.</summary>
    public int BidsLost { get; set; }

    /// <summary>Bids stored more than once, or stored though the bidder was told <c>bid_too_low</c>.</summary>
    public int BidsWrong { get; set; }

    /// <summary>Check-ins and check-outs the members know took effect.</summary>
    public int CheckInsAndOuts { get; set; }

    /// <summary>Visits in the database minus the ledger's, absolute, over check-ins and check-outs of every member.</summary>
    public int CheckInsWrong { get; set; }

    /// <summary>(watcher, acknowledged message) pairs neither delivered nor covered by a <c>recovered:false</c>.</summary>
    public int DeliveriesMissing { get; set; }

    /// <summary>(watcher, acknowledged message) pairs not delivered but covered by a <c>recovered:false</c> the server said.</summary>
    public int DeliveriesDeclared { get; set; }

    /// <summary>Publications a watcher got twice (the same offset of the same epoch: a protocol violation).</summary>
    public int DeliveriesDuplicated { get; set; }

    /// <summary>Messages a watcher got again as a new publication (new offset, same message id): the outbox publishes
    /// at least once, so a node killed between publishing and marking the event done makes another node publish it
    /// again after the lease. Not a loss; a documented bound (docs/reliability.md).</summary>
    public int DeliveriesRepublished { get; set; }

    /// <summary>The lobby's presence equals the watchers connected (a stale or missing member makes it false).</summary>
    public bool PresenceOk { get; set; }

    /// <summary><c>GET /api/wallet/check</c> found every account agreeing with its ledger, and the auction's price,
    /// leader and holds agree with its bids.</summary>
    public bool WalletOk { get; set; }

    /// <summary>Every node answered 200 on <c>/readyz</c>.</summary>
    public bool AllReady { get; set; }

    /// <summary>Requests whose outcome the client never learned within the retry bound.</summary>
    public int Unresolved { get; set; }

    /// <summary>Answers a correct server never gives.</summary>
    public int Unexpected { get; set; }

    /// <summary>What went wrong, in words.</summary>
    public List<string> Notes { get; } = [];

    /// <summary>Whether anything was lost, duplicated or left wrong.</summary>
    public bool Clean => MessagesLost + MessagesDuplicated + BidsLost + BidsWrong + CheckInsWrong + DeliveriesMissing + DeliveriesDuplicated
        + Unexpected == 0 && PresenceOk && WalletOk && AllReady;
}
