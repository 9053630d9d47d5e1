namespace Hubbub.Features.Kit;

/// <summary>Settings of the feature kit (section <c>Kit</c>), validated at start.</summary>
public sealed class KitOptions : Declaring.IFeatureOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Kit";

    /// <summary>
    /// How long a node holds outbox rows, domain-event handlings and jobs it claimed (default 10000 ms). A node that dies
    /// holding a claim leaves it to be taken over by any node once it expires; so this bounds how late work of a
    /// crashed node is done. Must be longer than one publication or handler takes.
    /// </summary>
    public int LeaseMs { get; set; } = 10_000;

    /// <summary>
    /// How often each node looks for work nobody signalled to it (default 2000 ms): leftovers of a crashed node, retries.
    /// Work of this node's own commits is published at once, never by this poll.
    /// </summary>
    public int PollMs { get; set; } = 2_000;

    /// <summary>The first retry of failed work waits this long; each further failure doubles it (default 500 ms).</summary>
    public int RetryBaseMs { get; set; } = 500;

    /// <summary>Longest wait between retries (default 60000 ms).</summary>
    public int RetryMaxMs { get; set; } = 60_000;

    /// <summary>A domain-event handling or job that failed this often counts as stuck in <c>/metrics</c> (default 5).</summary>
    public int StuckAfterAttempts { get; set; } = 5;

    /// <summary>Notifications kept per user; older ones are dropped when a new one arrives (default 1000).</summary>
    public int MaxNotificationsPerUser { get; set; } = 1000;

    /// <summary>Largest JSON body of the kit's own REST endpoints (users, notifications), in bytes (default 16384).</summary>
    public int MaxBodyBytes { get; set; } = 16 * 1024;

    /// <summary>
    /// Domain events (once every handler is done) and idempotency keys older than this many days are deleted by the
    /// kit's pruning job (default 90; 0 keeps them forever). A repeat of a pruned <c>id</c> or <c>client_id</c> is a new
    /// call, so keep this longer than any client retries (a repeated grant <c>id</c> older than this grants again).
    /// </summary>
    public int RetentionDays { get; set; } = 90;

    /// <summary>How often the pruning job runs, in minutes (default 60).</summary>
    public int PruneEveryMinutes { get; set; } = 60;

    /// <summary>
    /// Delete the outbox rows a request has just published together with other requests' rows, off the request's flow
    /// (default true), instead of in one more transaction per request on its flow. Delivery is at least once either way
    /// (docs/performance.md, "Write paths"); off is for comparing.
    /// </summary>
    public bool OutboxCoalesceDeletes { get; set; } = true;

    /// <summary>
    /// On SQLite, how often the notifications that replaced an unread one of their key, appended to a log by the writing
    /// transaction, are merged into the inbox's rows in bulk (default 500 ms; 0 never merges on a timer, for tests: a mark
    /// read or a bound still merges its user's). No answer depends on it; it trades the log's length, which every
    /// inbox read scans, against pages written per event (docs/performance.md, "the `overtaken` notices appended to a
    /// log").
    /// </summary>
    public int NotificationMergeMs { get; set; } = 500;

    /// <summary>Problems with these settings, empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        Check(problems, LeaseMs, 100, 3_600_000, nameof(LeaseMs));
        Check(problems, PollMs, 10, 3_600_000, nameof(PollMs));
        Check(problems, RetryBaseMs, 1, 3_600_000, nameof(RetryBaseMs));
        Check(problems, RetryMaxMs, RetryBaseMs, 86_400_000, nameof(RetryMaxMs));
        Check(problems, StuckAfterAttempts, 1, 1_000_000, nameof(StuckAfterAttempts));
        Check(problems, MaxNotificationsPerUser, 1, 1_000_000, nameof(MaxNotificationsPerUser));
        Check(problems, MaxBodyBytes, 1024, 16 * 1024 * 1024, nameof(MaxBodyBytes));
        Check(problems, RetentionDays, 0, 36_500, nameof(RetentionDays));
        Check(problems, PruneEveryMinutes, 1, 10_080, nameof(PruneEveryMinutes));
        Check(problems, NotificationMergeMs, 0, 3_600_000, nameof(NotificationMergeMs));
        return problems;
    }

    /// <summary>The wait before retry number <paramref name="attempts"/> (1 = the first retry).</summary>
    public TimeSpan RetryDelay(int attempts) =>
        TimeSpan.FromMilliseconds(Math.Min((double)RetryBaseMs * Math.Pow(2, Math.Clamp(attempts - 1, 0, 30)), RetryMaxMs));

    private static void Check(List<string> problems, int value, int min, int max, string name)
    {
        if (value < min || value > max)
        {
            problems.Add($"Kit:{name} must be between {min} and {max}.");
        }
    }
}
