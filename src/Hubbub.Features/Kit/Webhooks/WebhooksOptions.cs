namespace Hubbub.Features.Kit.Webhooks;

/// <summary>Settings of outgoing webhooks (section <c>Webhooks</c>), validated when the server starts.</summary>
public sealed class WebhooksOptions : Declaring.IFeatureOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Webhooks";

    /// <summary>
    /// Attempts per delivery before it becomes a dead letter (default 16: with the default backoff the last attempt is
    /// about 6.5 hours after the first).
    /// </summary>
    public int MaxAttempts { get; set; } = 16;

    /// <summary>The wait after the first failed attempt (default 5000 ms); each further failure doubles it.</summary>
    public int RetryBaseMs { get; set; } = 5_000;

    /// <summary>The longest wait between two attempts (default 3600000 ms, one hour).</summary>
    public int RetryMaxMs { get; set; } = 3_600_000;

    /// <summary>How long one attempt may take, connecting and reading the answer's status included (default 10000 ms).</summary>
    public int TimeoutMs { get; set; } = 10_000;

    /// <summary>Attempts one node makes at once (default 8): a slow endpoint holds one of them, not the others.</summary>
    public int Concurrency { get; set; } = 8;

    /// <summary>Endpoints a deployment may register (default 100).</summary>
    public int MaxEndpoints { get; set; } = 100;

    /// <summary>Event types (or patterns) one endpoint may subscribe to (default 50).</summary>
    public int MaxEventsPerEndpoint { get; set; } = 50;

    /// <summary>The longest endpoint URL (default 2000 characters).</summary>
    public int MaxUrlLength { get; set; } = 2_000;

    /// <summary>Whether only <c>https</c> endpoints may be registered (default false: <c>http</c> is allowed for a backend on a private network).</summary>
    public bool RequireHttps { get; set; }

    /// <summary>Hours a delivered delivery stays listed before it is deleted (default 72). Dead letters stay until replayed or their endpoint is deleted.</summary>
    public int DeliveredRetentionHours { get; set; } = 72;

    /// <summary>Largest JSON body of <c>/api/webhooks</c> (default 16384 bytes).</summary>
    public int MaxBodyBytes { get; set; } = 16 * 1024;

    /// <summary>Problems with these settings, empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        Check(problems, MaxAttempts, 1, 1_000, nameof(MaxAttempts));
        Check(problems, RetryBaseMs, 1, 86_400_000, nameof(RetryBaseMs));
        Check(problems, RetryMaxMs, RetryBaseMs, 86_400_000, nameof(RetryMaxMs));
        Check(problems, TimeoutMs, 100, 300_000, nameof(TimeoutMs));
        Check(problems, Concurrency, 1, 256, nameof(Concurrency));
        Check(problems, MaxEndpoints, 1, 10_000, nameof(MaxEndpoints));
        Check(problems, MaxEventsPerEndpoint, 1, 1_000, nameof(MaxEventsPerEndpoint));
        Check(problems, MaxUrlLength, 20, 8_000, nameof(MaxUrlLength));
        Check(problems, DeliveredRetentionHours, 1, 24 * 365, nameof(DeliveredRetentionHours));
        Check(problems, MaxBodyBytes, 1024, 1024 * 1024, nameof(MaxBodyBytes));
        return problems;
    }

    /// <summary>The wait after failed attempt number <paramref name="attempts"/> (1 = after the first).</summary>
    public TimeSpan RetryDelay(int attempts) =>
        TimeSpan.FromMilliseconds(Math.Min((double)RetryBaseMs * Math.Pow(2, Math.Clamp(attempts - 1, 0, 40)), RetryMaxMs));

    private static void Check(List<string> problems, int value, int min, int max, string name)
    {
        if (value < min || value > max)
        {
            problems.Add($"Webhooks:{name} must be between {min} and {max}.");
        }
    }
}
