using Microsoft.Extensions.Options;

namespace Hubbub.Server.Realtime.Fallback;

/// <summary>
/// Settings of the HTTP fallback transport (<c>GET /ws/sse</c> and <c>POST /ws/sse/{session}</c>), section
/// <c>Hubbub:Fallback</c> (environment <c>Hubbub__Fallback__Name</c>). The protocol's own limits (frame size, rate,
/// connections per user, subscriptions) are <c>Hubbub:*</c>'s and apply to it as to <c>/ws</c>.
/// </summary>
public sealed class FallbackOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Hubbub:Fallback";

    /// <summary>Serve the fallback at all; false answers 404 on its paths (WebSocket only).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Largest <c>POST</c> body in bytes (one frame or a batch); a larger one is refused with 413 <c>too_large</c>.</summary>
    public int MaxPostBytes { get; set; } = 1024 * 1024;

    /// <summary>Most frames one <c>POST</c> may carry; more are refused with 413 <c>too_large</c>.</summary>
    public int MaxFramesPerPost { get; set; } = 100;

    /// <summary>
    /// Bytes of client frames a session may have accepted (202) but not yet handled. A <c>POST</c> that would go beyond
    /// is refused whole with 429 <c>rate_limited</c>, nothing of it taken; an empty queue takes any accepted body.
    /// </summary>
    public int MaxQueuedBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// A stream with nothing written for this long gets an SSE comment line, so proxies and load balancers that cut
    /// idle responses keep it open (ms). Protocol heartbeats (<c>ping</c>) still come every <c>heartbeat_ms</c>.
    /// </summary>
    public int CommentIntervalMs { get; set; } = 15_000;

    /// <summary>How long a node waits for the node holding a session to answer a forwarded <c>POST</c> (ms).</summary>
    public int RelayTimeoutMs { get; set; } = 5_000;

    /// <summary>Checks every value; returns the problems found (empty when valid).</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        void Positive(string name, int value)
        {
            if (value <= 0)
            {
                errors.Add($"{Section}:{name} must be greater than 0 (it is {value}).");
            }
        }
        Positive(nameof(MaxPostBytes), MaxPostBytes);
        Positive(nameof(MaxFramesPerPost), MaxFramesPerPost);
        Positive(nameof(MaxQueuedBytes), MaxQueuedBytes);
        Positive(nameof(CommentIntervalMs), CommentIntervalMs);
        Positive(nameof(RelayTimeoutMs), RelayTimeoutMs);
        return errors;
    }
}

/// <summary>Refuses to start with invalid <c>Hubbub:Fallback:*</c> settings, naming each one.</summary>
public sealed class FallbackOptionsValidator : IValidateOptions<FallbackOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, FallbackOptions options)
    {
        var errors = options.Validate();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
