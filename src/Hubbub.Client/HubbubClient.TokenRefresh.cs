using System.Text.Json;
using Hubbub.Protocol;

namespace Hubbub.Client;

// Token refresh in place: ahead of the token's expiry, a fresh token from the provider replaces it on the open
// connection (`refresh`), so subscriptions, offsets and queued requests are untouched: nothing lost, nothing repeated.
public sealed partial class HubbubClient
{
    /// <summary>A refresh that failed is tried again this much later (while the token has not expired yet).</summary>
    private static readonly TimeSpan RefreshRetry = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The least wait between two refresh attempts; with less than twice this left, none is tried again (the reconnect
    /// after the expiry asks the provider anyway). Halving towards the expiry bunched the retries into its last
    /// milliseconds, hammering a token service that is already failing. The JS SDK's rule too.
    /// </summary>
    private static readonly TimeSpan RefreshRetryFloor = TimeSpan.FromSeconds(1);

    /// <summary>The longest a refresh timer is set for (system timers refuse about 49 days and more); later ones wake and wait on.</summary>
    private static readonly TimeSpan LongestRefreshWait = TimeSpan.FromDays(20);

    private ITimer? _refreshTimer; // under _gate

    /// <summary>When the connection's token expires (its <c>exp</c>, moved on by each refresh); null when unknown or never.</summary>
    public DateTimeOffset? TokenExpiresAt { get; private set; }

    /// <summary>
    /// Arms the next refresh of <paramref name="session"/>'s token, which expires at <paramref name="expiresAt"/>, when
    /// the client has a token provider. Too late (already expired): the server closes with 4401 and the reconnect gets
    /// a fresh token.
    /// </summary>
    private void ScheduleRefresh(Session session, DateTimeOffset? expiresAt, bool retry)
    {
        if (_options.TokenProvider is null || expiresAt is not { } expiry)
        {
            return;
        }
        var remaining = expiry - _time.GetUtcNow();
        if (remaining <= TimeSpan.Zero)
        {
            return;
        }
        if (retry && remaining < RefreshRetryFloor * 2)
        {
            return;
        }
        var ahead = _options.TokenRefreshAhead;
        var delay = retry ? TimeSpan.FromTicks(Math.Max(RefreshRetryFloor.Ticks, Math.Min(RefreshRetry.Ticks, remaining.Ticks / 2)))
            : remaining > ahead * 2 ? remaining - ahead : remaining / 2;
        lock (_gate)
        {
            if (_current != session || _disposing)
            {
                return;
            }
            _refreshTimer?.Dispose();
            _refreshTimer = delay > LongestRefreshWait
                ? _time.CreateTimer(_ => ScheduleRefresh(session, expiry, retry: false), null, LongestRefreshWait, Timeout.InfiniteTimeSpan)
                : _time.CreateTimer(_ => _ = RefreshAsync(session, expiry), null, delay, Timeout.InfiniteTimeSpan);
        }
    }

    private void StopRefreshLocked()
    {
        _refreshTimer?.Dispose();
        _refreshTimer = null;
    }

    private async Task RefreshAsync(Session session, DateTimeOffset expiresAt)
    {
        try
        {
            lock (_gate)
            {
                if (_ready != session || _disposing)
                {
                    return;
                }
            }
            var token = await _options.TokenProvider!(_stop.Token);
            var data = JsonSerializer.SerializeToElement(new RefreshRequest(token), HubbubJsonContext.Default.RefreshRequest);
            // Not queued: a refresh belongs to this connection; a new one is opened with a fresh token anyway.
            var reply = await SendAsync(MessageTypes.Refresh, null, data, _stop.Token, queue: false);
            var next = reply.Deserialize(HubbubJsonContext.Default.RefreshReply)?.ExpiresAt is { } seconds
                ? DateTimeOffset.FromUnixTimeSeconds(seconds)
                : (DateTimeOffset?)null;
            TokenExpiresAt = next;
            Log.TokenRefreshed(_logger, next);
            ScheduleRefresh(session, next, retry: false);
        }
        catch (Exception ex) when (!_stop.IsCancellationRequested)
        {
            Log.TokenRefreshFailed(_logger, ex);
            ScheduleRefresh(session, expiresAt, retry: true);
        }
        catch (OperationCanceledException)
        {
            // The client is being disposed.
        }
        catch (ObjectDisposedException)
        {
            // The client was disposed while refreshing.
        }
    }
}
