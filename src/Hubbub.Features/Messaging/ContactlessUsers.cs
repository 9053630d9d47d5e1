using System.Collections.Concurrent;
using Hubbub.Storage;

namespace Hubbub.Features.Messaging;

/// <summary>
/// Which users this node knows to share no conversation with anyone, so that their online-status transitions (every
/// connect and last close of a user without conversations, which is most users of most apps) need no contacts read,
/// not even the first. The node keeps the users who may share one: everyone in <c>chat_participants</c>, read once in
/// one query at the first transition after start, and everyone <see cref="MessagingService"/> is about to add, named
/// before the transaction that adds them begins. A user outside that set shares no conversation.
/// Kept on SQLite only: SQLite serves one node, and every participant added goes through this node's
/// <see cref="MessagingService"/>. With PostgreSQL another node may add a participant, so every transition reads.
/// </summary>
/// <remarks>
/// A user stays in the set whether or not the transaction adding them commits, and after they leave or their
/// conversations go: for them a transition reads, which is always correct. A transition that looks before the user is
/// named finds no contacts, as a read before the commit would have. The set holds one entry per participant (about
/// 80 bytes); past <see cref="MaxEntries"/> participants it is dropped and every transition reads.
/// </remarks>
public sealed class ContactlessUsers(IDatabase database)
{
    /// <summary>Most participants kept; beyond, the set is dropped and every transition reads.</summary>
    internal const int MaxEntries = 1_000_000;

    private readonly ConcurrentDictionary<string, byte> _participants = new(StringComparer.Ordinal);
    private readonly Lock _loadGate = new();
    private Task<bool>? _load;
    private int _count;
    private volatile bool _tooMany;

    /// <summary>Whether the set is kept at all (SQLite: one node).</summary>
    public bool Enabled { get; } = database.Provider == DatabaseProvider.Sqlite;

    /// <summary>
    /// Whether <paramref name="user"/> is known to share no conversation. The first call reads the participants (once
    /// for the node; a failed read is tried again by the next call).
    /// </summary>
    public async ValueTask<bool> ContainsAsync(string user)
    {
        if (!Enabled || _tooMany)
        {
            return false;
        }
        var load = _load is { IsCompletedSuccessfully: true } done ? done : StartLoad();
        return await load && !_tooMany && !_participants.ContainsKey(user);
    }

    /// <summary>
    /// Called before a transaction that may add <paramref name="users"/> to a conversation begins: they, and everyone
    /// sharing a conversation with them (who already are participants), may have contacts from then on.
    /// </summary>
    public void Joining(IEnumerable<string> users)
    {
        if (!Enabled || _tooMany)
        {
            return;
        }
        foreach (var user in users)
        {
            Add(user);
        }
    }

    private Task<bool> StartLoad()
    {
        lock (_loadGate)
        {
            // A failed read (the database away) is not kept: the next transition tries again.
            if (_load is null || _load.IsFaulted || _load.IsCanceled)
            {
                _load = LoadAsync();
            }
            return _load;
        }
    }

    private async Task<bool> LoadAsync()
    {
        // Not the caller's token: the load serves every transition after it.
        var users = await database.ReadAsync(tx => MessagingStore.ParticipantUsersAsync(tx, MaxEntries + 1, CancellationToken.None));
        foreach (var user in users)
        {
            Add(user);
        }
        return !_tooMany;
    }

    private void Add(string user)
    {
        if (_participants.TryAdd(user, 0) && Interlocked.Increment(ref _count) > MaxEntries)
        {
            _tooMany = true;
            _participants.Clear();
        }
    }
}
