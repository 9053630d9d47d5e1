using System.Runtime.CompilerServices;
using Hubbub.Storage;

namespace Hubbub.Features.Gamification.Ranking;

/// <summary>
/// The score changes a database transaction made and the ranked index does not hold yet (it takes them after the
/// commit), per board and period, so that a rank read later in the same transaction counts them. Why: on SQLite the
/// writer runs several events in one transaction (a batch of <c>POST /api/events</c>, or writes that queued together),
/// each in a savepoint; without this, the second event's ranks would leave out the first's move (a passed user told
/// rank 3 on a board of two). Keyed by the transaction itself, so it is gone with it; it adds no read (no round trip on
/// Redis), only a lookup in memory per rank read.
/// Each entry holds the score the index holds (the user's committed score, or none) and the latest of the transaction.
/// </summary>
internal static class UncommittedScores
{
    private static readonly ConditionalWeakTable<object, Dictionary<(string Board, string Period), Dictionary<string, Entry>>> Open = new();

    /// <summary>
    /// Records that <paramref name="user"/>'s score on <paramref name="board"/> went from <paramref name="old"/> (none:
    /// new on the board) to <paramref name="score"/> in <paramref name="tx"/>; returns what undoes it, should the work
    /// that made it fail (its savepoint rolled back, the others of the transaction going on).
    /// </summary>
    public static Action Record(DatabaseTransaction tx, BoardSlot board, string user, double? old, double score)
    {
        var boards = Open.GetOrCreateValue(KeyOf(tx));
        lock (boards)
        {
            if (!boards.TryGetValue((board.Board, board.Period), out var users))
            {
                users = new Dictionary<string, Entry>(StringComparer.Ordinal);
                boards[(board.Board, board.Period)] = users;
            }
            if (users.TryGetValue(user, out var before))
            {
                users[user] = before with { Score = score };
                return () => Undo(boards, users, user, before);
            }
            users[user] = new Entry(old, score);
            return () => Undo(boards, users, user, null);
        }
    }

    /// <summary>
    /// Corrects ranks the index gave for <paramref name="scores"/> (leaving <paramref name="exceptUser"/> out) by the
    /// other users' changes earlier in <paramref name="tx"/>: a committed score strictly better than the score no longer
    /// counts, a new one strictly better counts.
    /// </summary>
    public static void Correct(DatabaseTransaction tx, BoardSlot board, IReadOnlyList<double> scores, string exceptUser, long[] ranks)
    {
        if (!Open.TryGetValue(KeyOf(tx), out var boards))
        {
            return;
        }
        lock (boards)
        {
            if (!boards.TryGetValue((board.Board, board.Period), out var users))
            {
                return;
            }
            foreach (var (user, entry) in users)
            {
                if (user == exceptUser)
                {
                    continue;
                }
                for (var i = 0; i < scores.Count; i++)
                {
                    var s = scores[i];
                    if (entry.Indexed is { } indexed && Better(indexed, s, board.Ascending))
                    {
                        ranks[i]--;
                    }
                    if (Better(entry.Score, s, board.Ascending))
                    {
                        ranks[i]++;
                    }
                }
            }
        }
    }

    /// <summary>
    /// What one database transaction is known by: on SQLite its <see cref="System.Data.Common.DbTransaction"/>, which the
    /// writer shares between the works it commits together and never reuses; elsewhere the kit's wrapper, one per
    /// transaction (Npgsql reuses a connection's transaction object from one transaction to the next).
    /// </summary>
    private static object KeyOf(DatabaseTransaction tx) => tx.Provider == DatabaseProvider.Sqlite ? tx.Transaction : tx;

    private static bool Better(double a, double b, bool ascending) => ascending ? a < b : a > b;

    private static void Undo(Dictionary<(string, string), Dictionary<string, Entry>> boards, Dictionary<string, Entry> users, string user, Entry? before)
    {
        lock (boards)
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
    }

    /// <summary><paramref name="Indexed"/>: the score the index holds (none: the user is new on the board); <paramref name="Score"/>: the transaction's latest.</summary>
    private sealed record Entry(double? Indexed, double Score);
}
