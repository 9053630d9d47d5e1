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
