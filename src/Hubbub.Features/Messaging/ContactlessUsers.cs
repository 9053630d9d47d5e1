using System.Collections.Concurrent;
using Hubbub.Storage;

namespace Hubbub.Features.Messaging;

/// <summary>
/// Users this node has read to share no conversation with anyone, so that their online-status transitions (every
/// connect and last close of a user without conversations, which is most users of most apps) need no contacts read.
/// Kept on SQLite only: SQLite serves one node, and every participant added goes through this node's
/// <see cref="MessagingService"/>, which forgets its users after the commit. With PostgreSQL another node may add a
/// participant, so every transition reads.
/// </summary>
/// <remarks>
/// A read that started before a participant's commit may end after the service forgot the user; the version the read
/// started at catches it: <see cref="Remember"/> keeps the user only when no participant was added since. The set holds
/// one entry per such user (about 50 bytes) and starts over past <see cref="MaxEntries"/>.
/// </remarks>
public sealed class ContactlessUsers(IDatabase database)
{
    /// <summary>How many users the set holds before it is cleared (a cleared user costs one read again).</summary>
    internal const int MaxEntries = 1_000_000;

    private readonly ConcurrentDictionary<string, byte> _users = new(StringComparer.Ordinal);
    private long _version;

    /// <summary>Whether the set is kept at all (SQLite: one node).</summary>
    public bool Enabled { get; } = database.Provider == DatabaseProvider.Sqlite;

    /// <summary>Taken before a contacts read; hand it to <see cref="Remember"/>.</summary>
    public long Version => Interlocked.Read(ref _version);

    /// <summary>Whether <paramref name="user"/> is known to share no conversation.</summary>
    public bool Contains(string user) => Enabled && _users.ContainsKey(user);

    /// <summary>Records that a read begun at <paramref name="versionBeforeRead"/> found no contacts of <paramref name="user"/>.</summary>
    public void Remember(string user, long versionBeforeRead)
    {
        if (!Enabled)
        {
            return;
        }
        if (_users.Count >= MaxEntries)
        {
            _users.Clear();
        }
        _users[user] = 0;
        // A participant added since the read began (its Forget may have run before the line above): not known after all.
        if (Version != versionBeforeRead)
        {
            _users.TryRemove(user, out _);
        }
    }

    /// <summary>
    /// Called once a transaction that may have added <paramref name="users"/> to a conversation has ended (committed or
    /// not): they, and everyone sharing a conversation with them, may have contacts now.
    /// </summary>
    public void Forget(IEnumerable<string> users)
    {
        Interlocked.Increment(ref _version);
        foreach (var user in users)
        {
            _users.TryRemove(user, out _);
        }
    }
}
