using Hubbub.Protocol;

namespace Hubbub.Core.Connections;

/// <summary>
/// The connection's credentials: the user they sign in, replaced in place by <c>refresh</c>, and the expiry timer that
/// closes the connection with <see cref="CloseCodes.TokenExpired"/> when they run out without one.
/// </summary>
public sealed partial class ClientConnection
{
    /// <summary>
    /// The longest a timer is set for: system timers refuse due times past about 49 days, and a token may live for
    /// years. A watch due later wakes up after this and sets itself again.
    /// </summary>
    private static readonly TimeSpan LongestExpiryWait = TimeSpan.FromDays(20);

    // The send queue's lock guards the credentials too: both are taken briefly, a refresh is rare, neither is held while
    // taking the other kind of work, and one lock fewer is 40 bytes less per connection. (Lock is reentrant.)
    private Lock _credentialsGate => _sendGate;
    private HubbubUser _user = null!;
    private ITimer? _expiryTimer;
    private TimeSpan _expiryGrace;
    private bool _watching; // between WatchExpiry and the connection's end

    /// <summary>The signed-in user, as the latest token (the one at connect, or the last <c>refresh</c>) says.</summary>
    public HubbubUser User
    {
        get => Volatile.Read(ref _user);
        private set => Volatile.Write(ref _user, value);
    }

    /// <summary>
    /// Starts watching the credentials' expiry: once <see cref="HubbubUser.ExpiresAt"/> plus <paramref name="grace"/>
    /// has passed (on the engine's clock) without a refresh, the connection is closed with 4401. Credentials without
    /// an expiry are not watched.
    /// </summary>
    internal void WatchExpiry(TimeSpan grace)
    {
        lock (_credentialsGate)
        {
            _expiryGrace = grace;
            _watching = true;
            ArmExpiryLocked();
        }
    }

    /// <summary>
    /// Replaces the credentials with those of a refreshed token of the same user (the caller checked it): later
    /// requests are judged by its roles and channels, and the expiry watch moves to its expiry.
    /// </summary>
    internal void ReplaceCredentials(HubbubUser user)
    {
        if (!string.Equals(user.Id, User.Id, StringComparison.Ordinal))
        {
            throw new InvalidOperationException("a connection's user cannot change");
        }
        lock (_credentialsGate)
        {
            User = user;
            if (_watching)
            {
                ArmExpiryLocked();
            }
        }
    }

    /// <summary>Stops the expiry watch (the connection has ended), so the timer does not keep it alive.</summary>
    private void StopExpiryWatch()
    {
        lock (_credentialsGate)
        {
            _watching = false;
            _expiryTimer?.Dispose();
            _expiryTimer = null;
        }
    }

    private void ArmExpiryLocked()
    {
        _expiryTimer?.Dispose();
        _expiryTimer = null;
        if (User.ExpiresAt is not { } expiresAt)
        {
            return;
        }
        var due = expiresAt + _expiryGrace - _time.GetUtcNow();
        if (due < TimeSpan.Zero)
        {
            due = TimeSpan.Zero;
        }
        // The domain clock, so tests can run expiry on a fake one. A refresh disposes this timer and arms a new one; the
        // state check in the callback covers a callback already running when it was replaced.
        _expiryTimer = _time.CreateTimer(static state => ((ClientConnection)state!).OnExpiryDue(), this,
            due > LongestExpiryWait ? LongestExpiryWait : due, Timeout.InfiniteTimeSpan);
    }

    private void OnExpiryDue()
    {
        if (User.ExpiresAt is { } expiresAt && expiresAt + _expiryGrace <= _time.GetUtcNow())
        {
            Diagnostics.Log.TokenExpired(_logger, Id, User.Id);
            Close(CloseCodes.TokenExpired, "token expired");
            return;
        }
        lock (_credentialsGate)
        {
            if (_watching)
            {
                ArmExpiryLocked(); // woke up early (a long wait, or a refresh moved the expiry): wait on
            }
        }
    }
}
