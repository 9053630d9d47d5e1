using System.Collections.Concurrent;
using Hubbub.Storage;

namespace Hubbub.Features.Gamification.Ranking;

/// <summary>
/// The score changes the ranked index may not hold yet (it takes them after the commit), per board and period, so that
/// a rank read meanwhile counts them. Why: on SQLite the writer runs several events in one transaction (a batch of
/// <c>POST /api/events</c>, or writes that queued together), each in a savepoint, and starts the next group while the
/// last one's scores are still on their way to the index; without this, a later event's ranks would leave out an
/// earlier one's move (a passed user told rank 3 on a board of two). Each entry holds the user's latest written score
/// and its row version; it goes when the index has applied that version. A read takes them (<see cref="Pending"/>) and
/// hands them to the index with the read (<see cref="ILeaderboardIndex.RanksAndBehindAsync"/>), which counts each at
/// its latest score unless it already holds that version: the read and its correction see one state of the index, so
/// an apply that lands at any moment is counted once (a correction made after the read counted a change applied
/// between the two twice, or one whose entry went before the correction not at all). A read takes the entries of its
/// own transaction and, on SQLite (one writer: every other transaction has ended), the others' too; on PostgreSQL
/// another transaction's change may not commit, so only its own. No read is added (no round trip on Redis): the entries
/// ride with the rank read. One per host (a singleton): two servers in one process keep theirs apart.
/// </summary>
public sealed class UncommittedScores
{
    /// <summary>An entry whose apply never came (its transaction's commit failed) stops counting after this long, and goes at the next read.</summary>
    private const long StaleMs = 30_000;

    private readonly ConcurrentDictionary<(string Board, string Period), Dictionary<string, Entry>> _boards = new();

    /// <summary>
    /// Records that <paramref name="user"/>'s score on <paramref name="board"/> became <paramref name="score"/> at
    /// <paramref name="version"/> in <paramref name="tx"/>; returns what undoes it, should the work that made it fail
    /// (its savepoint rolled back, the others of the transaction going on).
    /// </summary>
    internal Action Record(DatabaseTransaction tx, BoardSlot board, string user, double score, long version)
    {
        var users = _boards.GetOrAdd((board.Board, board.Period), _ => new Dictionary<string, Entry>(StringComparer.Ordinal));
        lock (users)
        {
            users.TryGetValue(user, out var before);
            users[user] = new Entry(score, version, KeyOf(tx), Environment.TickCount64);
            return () =>
            {
                lock (users)
                {
                    if (before is null)
                    {
                        users.Remove(user);
                    }
                    else
                    {
                        users[user] = before;
                    }
                }
            };
        }
    }

    /// <summary>The index applied <paramref name="score"/>: an entry at that version (or an older one) goes.</summary>
    internal void Applied(BoardSlot board, IndexedScore score)
    {
        if (!_boards.TryGetValue((board.Board, board.Period), out var users))
        {
            return;
        }
        lock (users)
        {
            if (users.TryGetValue(score.User, out var entry) && entry.Version <= score.Version)
            {
                users.Remove(score.User);
            }
        }
    }

    /// <summary>
    /// The changes on <paramref name="board"/> a read in <paramref name="tx"/> counts (leaving <paramref name="exceptUser"/>
    /// out): each user's latest written score and version, whose entry the index may or may not hold yet. Taken before
    /// the read, they are every change the index does not hold then: an entry goes only after its apply has landed.
    /// </summary>
    internal IReadOnlyList<PendingScore> Pending(DatabaseTransaction tx, BoardSlot board, string exceptUser)
    {
        if (!_boards.TryGetValue((board.Board, board.Period), out var users))
        {
            return [];
        }
        var own = KeyOf(tx);
        var now = Environment.TickCount64;
        lock (users)
        {
            if (users.Count == 0)
            {
                return [];
            }
            List<PendingScore>? pending = null;
            List<string>? stale = null;
            foreach (var (user, entry) in users)
            {
                if (now - entry.AtMs > StaleMs)
                {
                    (stale ??= []).Add(user); // its apply never came: it must not count, nor stay
                    continue;
                }
                if (user != exceptUser && (tx.Provider == DatabaseProvider.Sqlite || ReferenceEquals(entry.Transaction, own)))
                {
                    (pending ??= []).Add(new PendingScore(user, entry.Score, entry.Version));
                }
            }
            stale?.ForEach(user => users.Remove(user));
            return pending ?? (IReadOnlyList<PendingScore>)[];
        }
    }

    /// <summary>
    /// The latest written score of each user (but <paramref name="exceptUser"/>) whose change on <paramref name="board"/>
    /// the index may not hold yet (<see cref="Pending"/>): what a walk of the index must take instead of the entries it
    /// holds for them.
    /// </summary>
    internal Dictionary<string, double> Moved(DatabaseTransaction tx, BoardSlot board, string exceptUser) =>
        MovedOf(Pending(tx, board, exceptUser));

    /// <summary>The latest score of each of <paramref name="pending"/>, by user.</summary>
    internal static Dictionary<string, double> MovedOf(IReadOnlyList<PendingScore> pending)
    {
        var moved = new Dictionary<string, double>(pending.Count, StringComparer.Ordinal);
        foreach (var change in pending)
        {
            moved[change.User] = change.Score;
        }
        return moved;
    }

    /// <summary>
    /// What one database transaction is known by: on SQLite its <see cref="System.Data.Common.DbTransaction"/>, which the
    /// writer shares between the works it commits together and never reuses; elsewhere the kit's wrapper, one per
    /// transaction (Npgsql reuses a connection's transaction object from one transaction to the next).
    /// </summary>
    private static object KeyOf(DatabaseTransaction tx) => tx.Provider == DatabaseProvider.Sqlite ? tx.Transaction : tx;

    /// <summary><paramref name="Score"/>: the latest written, at <paramref name="Version"/>.</summary>
    private sealed record Entry(double Score, long Version, object Transaction, long AtMs);
}

/// <summary>
/// A user's latest written score on a board, at the row's <paramref name="Version"/>, which the ranked index may not
/// hold yet (<see cref="UncommittedScores.Pending"/>): a rank read counts it in place of the user's held entry when
/// that entry is older (or absent).
/// </summary>
public readonly record struct PendingScore(string User, double Score, long Version);
