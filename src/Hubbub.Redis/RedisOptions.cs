namespace Hubbub.Redis;

/// <summary>
/// Settings of the Redis seams, bound from <c>Hubbub:Redis</c> (environment <c>Hubbub__Redis__Name</c>). The
/// connection string itself is <c>ConnectionStrings:Redis</c>.
/// </summary>
public sealed class RedisOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Hubbub:Redis";

    /// <summary>The StackExchange.Redis connection string, e.g. <c>127.0.0.1:6379</c> (from <c>ConnectionStrings:Redis</c>).</summary>
    public string Configuration { get; set; } = string.Empty;

    /// <summary>Prefix of every key and pub/sub channel, so several deployments can share one Redis.</summary>
    public string KeyPrefix { get; set; } = "hubbub:";

    /// <summary>
    /// A connection's presence expires this long after its node last refreshed it (seconds). A node that dies
    /// (kill -9, power loss) stops counting within this time plus one sweep (a third of it), and
    /// <c>presence_leave</c> is sent. Node clocks must agree to well within this.
    /// </summary>
    public int PresenceTtlSeconds { get; set; } = 30;

    /// <summary>
    /// How long a channel's stream position (offset and epoch) outlives its last publication or read (seconds).
    /// After that the channel starts over under a new epoch, and recovering clients get <c>recovered:false</c>.
    /// Never shorter than the channel's history TTL.
    /// </summary>
    public int StreamMetaTtlSeconds { get; set; } = 86_400;

    /// <summary>
    /// The longest a request waits on one Redis command (ms). A command that takes longer fails the request with
    /// <c>internal</c>, and the node then treats Redis as unreachable (every request that needs it fails at once)
    /// until a background ping answers again. Keep it below 5,000: clients are promised an answer within 5 s.
    /// </summary>
    public int CommandTimeoutMs { get; set; } = 4_000;

    /// <summary>
    /// How long a feature's publication that arrives before one committed earlier on its channel (by another node) waits
    /// for it (ms), before it is published anyway: the earlier one's node may have died between its commit and its
    /// publication (the outbox then publishes it later, out of order), and the channel must not wait for it.
    /// </summary>
    public int OrderWaitMs { get; set; } = 500;

    /// <summary>Checks every value; returns the problems found (empty when valid).</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Configuration))
        {
            errors.Add("ConnectionStrings:Redis is empty.");
        }
        if (PresenceTtlSeconds < 1)
        {
            errors.Add($"Hubbub:Redis:PresenceTtlSeconds must be at least 1 (it is {PresenceTtlSeconds}).");
        }
        if (StreamMetaTtlSeconds < 1)
        {
            errors.Add($"Hubbub:Redis:StreamMetaTtlSeconds must be at least 1 (it is {StreamMetaTtlSeconds}).");
        }
        if (CommandTimeoutMs < 100)
        {
            errors.Add($"Hubbub:Redis:CommandTimeoutMs must be at least 100 (it is {CommandTimeoutMs}).");
        }
        if (OrderWaitMs is < 1 or > 10_000)
        {
            errors.Add($"Hubbub:Redis:OrderWaitMs must be between 1 and 10000 (it is {OrderWaitMs}).");
        }
        if (KeyPrefix.Contains('{', StringComparison.Ordinal) || KeyPrefix.Contains('}', StringComparison.Ordinal))
        {
            errors.Add("Hubbub:Redis:KeyPrefix must not contain '{' or '}' (they mark Redis Cluster hash tags).");
        }
        return errors;
    }

    /// <summary>The presence TTL.</summary>
    public TimeSpan PresenceTtl => TimeSpan.FromSeconds(PresenceTtlSeconds);

    /// <summary>The command timeout.</summary>
    public TimeSpan CommandTimeout => TimeSpan.FromMilliseconds(CommandTimeoutMs);
}
