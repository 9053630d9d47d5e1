namespace Hubbub.Server.Access;

/// <summary>
/// A namespace a deployment declares itself, <c>Hubbub:Namespaces:{ns}</c> (beside the history settings every
/// namespace takes there). Declared when <see cref="Subscribe"/> or <see cref="Publish"/> is set.
/// </summary>
public sealed class AppNamespaceOptions
{
    /// <summary>Who may subscribe (and read history and presence, type, share cursors); unset: <see cref="AccessRule.Nobody"/>.</summary>
    public string? Subscribe { get; set; }

    /// <summary>Who may publish from a client; unset: <see cref="AccessRule.Nobody"/>.</summary>
    public string? Publish { get; set; }

    /// <summary>Whether subscribers are tracked in presence (default true).</summary>
    public bool Presence { get; set; } = true;

    /// <summary>This namespace's subscribe proxy, instead of <see cref="ProxyOptions.SubscribeUrl"/>.</summary>
    public string? SubscribeProxyUrl { get; set; }

    /// <summary>This namespace's publish proxy, instead of <see cref="ProxyOptions.PublishUrl"/>.</summary>
    public string? PublishProxyUrl { get; set; }
}

/// <summary>The app's backend as Hubbub asks it, section <c>Hubbub:Proxy</c>.</summary>
public sealed class ProxyOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Hubbub:Proxy";

    /// <summary>Where subscribes to <see cref="AccessRule.Proxy"/> namespaces are judged (<c>POST</c>).</summary>
    public string? SubscribeUrl { get; set; }

    /// <summary>Where client publications on <see cref="AccessRule.Proxy"/> namespaces are judged (<c>POST</c>).</summary>
    public string? PublishUrl { get; set; }

    /// <summary>
    /// Where a <c>/ws</c> upgrade that carries no token is authenticated (<c>POST</c>, with the upgrade's
    /// <see cref="ConnectHeaders"/>); unset: such an upgrade is refused with 401.
    /// </summary>
    public string? ConnectUrl { get; set; }

    /// <summary>The upgrade's headers forwarded to <see cref="ConnectUrl"/>, when present.</summary>
    public string[] ConnectHeaders { get; set; } = ["Cookie", "Authorization"];

    /// <summary>How long a proxy call may take before it counts as failed (ms).</summary>
    public int TimeoutMs { get; set; } = 3_000;

    /// <summary>How long a subscribe or publish proxy's allow or refuse is remembered per user and channel (s; 0: not at all).</summary>
    public int CacheSeconds { get; set; } = 30;

    /// <summary>Decisions remembered at most; past it the cache starts over.</summary>
    public int MaxCacheEntries { get; set; } = 100_000;

    /// <summary>Largest answer body read from a proxy (bytes); a larger one counts as failed.</summary>
    public int MaxResponseBytes { get; set; } = 16 * 1024;
}

/// <summary>Refuses to start with invalid <c>Hubbub:Proxy:*</c> settings, naming each one (they used to start and fail every call).</summary>
public sealed class ProxyOptionsValidator : Microsoft.Extensions.Options.IValidateOptions<ProxyOptions>
{
    /// <summary>The longest proxy call allowed (ms): a client waits for its answer.</summary>
    public const int MaxTimeoutMs = 60_000;

    /// <summary>The longest a decision may be remembered (s).</summary>
    public const int MaxCacheSeconds = 86_400;

    /// <summary>The largest answer body that may be allowed (bytes).</summary>
    public const int MaxResponseBytesLimit = 16 * 1024 * 1024;

    /// <inheritdoc />
    public Microsoft.Extensions.Options.ValidateOptionsResult Validate(string? name, ProxyOptions options)
    {
        var errors = new List<string>();
        void InRange(string setting, int value, int min, int max)
        {
            if (value < min || value > max)
            {
                errors.Add($"{ProxyOptions.Section}:{setting} must be from {min} to {max} (it is {value}).");
            }
        }
        void Url(string setting, string? value)
        {
            if (!string.IsNullOrEmpty(value)
                && !(Uri.TryCreate(value, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps)))
            {
                errors.Add($"{ProxyOptions.Section}:{setting} must be an absolute http:// or https:// URL (it is '{value}').");
            }
        }
        InRange(nameof(ProxyOptions.TimeoutMs), options.TimeoutMs, 1, MaxTimeoutMs);
        InRange(nameof(ProxyOptions.CacheSeconds), options.CacheSeconds, 0, MaxCacheSeconds);
        InRange(nameof(ProxyOptions.MaxCacheEntries), options.MaxCacheEntries, 1, 10_000_000);
        InRange(nameof(ProxyOptions.MaxResponseBytes), options.MaxResponseBytes, 1, MaxResponseBytesLimit);
        Url(nameof(ProxyOptions.SubscribeUrl), options.SubscribeUrl);
        Url(nameof(ProxyOptions.PublishUrl), options.PublishUrl);
        Url(nameof(ProxyOptions.ConnectUrl), options.ConnectUrl);
        return errors.Count == 0 ? Microsoft.Extensions.Options.ValidateOptionsResult.Success : Microsoft.Extensions.Options.ValidateOptionsResult.Fail(errors);
    }
}
