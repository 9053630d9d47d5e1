using System.Collections.Concurrent;
using Hubbub.Storage;

namespace Hubbub.Features.Gamification.Ranking;

/// <summary>
/// The score changes the ranked index does not hold yet (it takes them after the commit), per board and period, so that
/// a rank read meanwhile counts them. Why: on SQLite the writer runs several events in one transaction (a batch of
/// <c>POST /api/events</c>, or writes that queued together), each in a savepoint, and starts the next group while the
/// last one's scores are still on their way to the index; without this, a later event's ranks would leave out an
/// earlier one's move (a passed user told rank 3 on a board of two). Each entry holds the score the index holds (the
/// user's committed score, or none) and the latest written, with its version; it goes when the index has applied that
/// version. A read counts the entries of its own transaction and, on SQLite (one writer: every other transaction has
/// ended), the others' too; on PostgreSQL another transaction's change may not commit, so only its own. No read is
/// added (no round trip on Redis): a lookup in memory per rank read. One per host (a singleton): two servers in one
/// process keep theirs apart.
/// </summary>
public sealed class UncommittedScores
{
    /// <summary>An entry whose apply never came (its transaction's commit failed) stops counting after this long, and goes at the next read.</summary>
    private const long StaleMs = 30_000;

    private readonly ConcurrentDictionary<(string Board, string Period), Dictionary<string, Entry>> _boards = new();

    /// <summary>
    /// Records that <paramref name="user"/>'s score on <paramref name="board"/> went from <paramref name="old"/> (none:
    /// new on the board) to <paramref name="score"/> at <paramref name="version"/> in <paramref name="tx"/>; returns what
    /// undoes it, should the work that made it fail (its savepoint rolled back, the others of the transaction going on).
    /// </summary>
    internal Action Record(DatabaseTransaction tx, BoardSlot board, string user, double? old, double score, long version)
    {
        var users = _boards.GetOrAdd((board.Board, board.Period), _ => new Dictionary<string, Entry>(StringComparer.Ordinal));
        lock (users)
        {
            users.TryGetValue(user, out var before);
            users[user] = new Entry(before is null ? old : before.Indexed, score, version, KeyOf(tx), Environment.TickCount64);
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

    /// <summary>The index applied <paramref name="score"/>: an entry at that version goes; a newer one now stands on it.</summary>
    internal void Applied(BoardSlot board, IndexedScore score)
    {
        if (!_boards.TryGetValue((board.Board, board.Period), out var users))
        {
            return;
        }
        lock (users)
        {
            if (users.TryGetValue(score.User, out var entry))
            {
                if (entry.Version <= score.Version)
                {
                    users.Remove(score.User);
                }
                else
                {
                    users[score.User] = entry with { Indexed = score.Score };
                }
            }
        }
    }

    /// <summary>
    /// Corrects ranks the index gave for <paramref name="scores"/> (leaving <paramref name="exceptUser"/> out) by the
    /// other users' changes it does not hold yet: a held score strictly better than the score no longer counts, a newer
    /// one strictly better counts.
    /// </summary>
    internal void Correct(DatabaseTransaction tx, BoardSlot board, IReadOnlyList<double> scores, string exceptUser, long[] ranks)
    {
        if (!_boards.TryGetValue((board.Board, board.Period), out var users))
        {
            return;
        }
        var own = KeyOf(tx);
        var now = Environment.TickCount64;
        lock (users)
        {
            List<string>? stale = null;
            foreach (var (user, entry) in users)
            {
                if (now - entry.AtMs > StaleMs)
                {
                    (stale ??= []).Add(user); // its apply never came: it must not count, nor stay
                    continue;
                }
                if (user == exceptUser || (tx.Provider != DatabaseProvider.Sqlite && !ReferenceEquals(entry.Transaction, own)))
                {
                    continue;
                }
                for (var i = 0; i < scores.Count; i++)
                {
                    if (entry.Indexed is { } indexed && Better(indexed, scores[i], board.Ascending))
                    {
                        ranks[i]--;
                    }
                    if (Better(entry.Score, scores[i], board.Ascending))
                    {
                        ranks[i]++;
                    }
                }
            }
            stale?.ForEach(user => users.Remove(user));
        }
    }

    /// <summary>
    /// What one database transaction is known by: on SQLite its <see cref="System.Data.Common.DbTransaction"/>, which the
    /// writer shares between the works it commits together and never reuses; elsewhere the kit's wrapper, one per
    /// transaction (Npgsql reuses a connection's transaction object from one transaction to the next).
    /// </summary>
    private static object KeyOf(DatabaseTransaction tx) => tx.Provider == DatabaseProvider.Sqlite ? tx.Transaction : tx;

    private static bool Better(double a, double b, bool ascending) => ascending ? a < b : a > b;

    /// <summary>
    /// The latest written score of each user (but <paramref name="exceptUser"/>) whose change on <paramref name="board"/>
    /// the index does not hold yet, as <see cref="Correct"/> counts them: what a walk of the index must take instead of
    /// the entries it holds for them.
    /// </summary>
    internal Dictionary<string, double> Moved(DatabaseTransaction tx, BoardSlot board, string exceptUser)
    {
        var moved = new Dictionary<string, double>(StringComparer.Ordinal);
        if (!_boards.TryGetValue((board.Board, board.Period), out var users))
        {
            return moved;
        }
        var own = KeyOf(tx);
        var now = Environment.TickCount64;
        lock (users)
        {
            foreach (var (user, entry) in users)
            {
                if (now - entry.AtMs <= StaleMs && user != exceptUser
                    && (tx.Provider == DatabaseProvider.Sqlite || ReferenceEquals(entry.Transaction, own)))
                {
                    moved[user] = entry.Score;
                }
            }
        }
        return moved;
    }

    /// <summary><paramref name="Indexed"/>: the score the index holds (none: the user is new on the board); <paramref name="Score"/>: the latest written, at <paramref name="Version"/>.</summary>
    private sealed record Entry(double? Indexed, double Score, long Version, object Transaction, long AtMs);
}
