using Hubbub.Protocol;

namespace Hubbub.Core.Connections;

/// <summary>
/// The connection's credentials: the user they sign in, replaced in place by <c>refresh</c>, and the expiry watch (the
/// node's <see cref="ExpiryWatch"/>) that closes the connection with <see cref="CloseCodes.TokenExpired"/> when they run
/// out without one.
/// </summary>
public sealed partial class ClientConnection
{
    // The send queue's lock guards the credentials too: both are taken briefly, a refresh is rare, neither is held while
    // taking the other kind of work, and one lock fewer is 40 bytes less per connection. (Lock is reentrant.)
    private Lock _credentialsGate => _sendGate;
    private HubbubUser _user = null!;
    private ExpiryWatch? _expiryWatch;
    private long _expirySecond = -1; // the key this connection is watched under, -1 while it is not
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
    internal void WatchExpiry(TimeSpan grace, ExpiryWatch watch)
    {
        lock (_credentialsGate)
        {
            _expiryGrace = grace;
            _expiryWatch = watch;
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

    /// <summary>Stops the expiry watch (the connection has ended), so the watch does not keep it alive.</summary>
    private void StopExpiryWatch()
    {
        lock (_credentialsGate)
        {
            _watching = false;
            DisarmExpiryLocked();
        }
    }

    private void DisarmExpiryLocked()
    {
        if (_expirySecond >= 0)
        {
            _expiryWatch!.Remove(this, _expirySecond);
            _expirySecond = -1;
        }
    }

    private void ArmExpiryLocked()
    {
        DisarmExpiryLocked();
        if (User.ExpiresAt is { } expiresAt)
        {
            // A refresh moves the watch; the state check in OnExpiryDue covers a watch already due when it was moved.
            _expirySecond = _expiryWatch!.Add(this, expiresAt + _expiryGrace);
        }
    }

    /// <summary>Called by the <see cref="ExpiryWatch"/> (outside its lock) once the watched second has come.</summary>
    internal void OnExpiryDue()
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
                ArmExpiryLocked(); // a refresh moved the expiry while the watch came due: wait on
            }
        }
    }
}
