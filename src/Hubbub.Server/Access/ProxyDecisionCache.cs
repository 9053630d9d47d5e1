using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Hubbub.Server.Access;

/// <summary>
/// The subscribe and publish proxies' recent answers, so a client that resubscribes (a reconnect, a page change) does
/// not cost the app's backend a call each time. Only answers are kept (allow or refuse), never failures; each for
/// <see cref="ProxyOptions.CacheSeconds"/> on the server's clock. Bounded: past <see cref="ProxyOptions.MaxCacheEntries"/>
/// it starts over, which costs calls, never a wrong answer.
/// </summary>
internal sealed class ProxyDecisionCache(IOptions<ProxyOptions> options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, (bool Allowed, DateTimeOffset Until)> _decisions = new(StringComparer.Ordinal);

    /// <summary>The remembered answer for <paramref name="key"/>, if still fresh.</summary>
    public bool TryGet(string key, out bool allowed)
    {
        if (_decisions.TryGetValue(key, out var entry) && entry.Until > time.GetUtcNow())
        {
            allowed = entry.Allowed;
            return true;
        }
        allowed = false;
        return false;
    }

    /// <summary>Remembers an answer (when caching is on).</summary>
    public void Set(string key, bool allowed)
    {
        var o = options.Value;
        if (o.CacheSeconds <= 0)
        {
            return;
        }
        if (_decisions.Count >= o.MaxCacheEntries)
        {
            _decisions.Clear();
        }
        _decisions[key] = (allowed, time.GetUtcNow().AddSeconds(o.CacheSeconds));
    }
}
