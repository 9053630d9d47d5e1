using System.Collections.Concurrent;
using System.Text.Json;
using Hubbub.Core.Publishing;
using Hubbub.Features.Gamification.Ranking;
using Hubbub.Features.Kit;
using Hubbub.Storage;
using Microsoft.Extensions.Options;

namespace Hubbub.Features.Gamification;

/// <summary>
/// <c>leaderboard_change</c> on <c>leaderboard:{key}</c>, coalesced to at most one per board per
/// <see cref="GamificationOptions.LeaderboardChangeIntervalMs"/> (sent <see cref="GamificationOptions.LeaderboardChangeSpacing"/> apart): on each node by its <see cref="Coalescer"/>, and across
/// the nodes of a Redis deployment by the board's turn in <see cref="ILeaderboardLiveState"/> (a node whose turn is held
/// flushes when it ends). A flush re-reads the board's top <see cref="GamificationOptions.LeaderboardLiveRows"/> rows from
/// the database after the commits that changed it (so nothing that rolled back is ever shown) and publishes the rows whose
/// rank or score differ from what the channel last showed, whichever node showed it, with the rank shown then. A row the
/// channel has not shown has the rank its event moved it from when this node saw that event and it lay below the covered
/// rows, else none. What nothing is known of: on one node, only the rows its own events moved are known to have moved, so
/// only those are published; across nodes every row is (other nodes' events moved rows this one cannot name). A row the
/// channel showed that the read no longer covers (passed, or its score fell) is published with its rank now, so a view
/// built from the subscribe's rows and the changes drops it. It is a live
/// view of committed state rather than a record of a change, so it is published directly, not through the outbox.
/// </summary>
public sealed partial class LeaderboardLive
{
    /// <summary>The event on <c>leaderboard:{key}</c>.</summary>
    public const string EventType = "leaderboard_change";

    private readonly FeatureDatabase _database;
    private readonly IChannelPublisher _publisher;
    private readonly IOptions<GamificationOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILeaderboardLiveState _shown;
    private readonly ILeaderboardIndex _index;
    private readonly Coalescer _coalescer;
    private readonly ConcurrentDictionary<string, BoardState> _boards = new(StringComparer.Ordinal);
    private readonly bool _ranksExact;

    /// <summary>Creates the live view; one per node.</summary>
    public LeaderboardLive(FeatureDatabase database, IChannelPublisher publisher, IOptions<GamificationOptions> options, TimeProvider time,
        ILeaderboardLiveState shown, ILeaderboardIndex index, ILogger<LeaderboardLive> logger)
    {
        _index = index;
        _database = database;
        _publisher = publisher;
        _options = options;
        _time = time;
        _shown = shown;
        _ranksExact = database.Database.Provider == DatabaseProvider.Sqlite;
        _coalescer = new Coalescer(time, options.Value.LeaderboardChangeSpacing, FlushAsync,
            (board, ex) => LogFlushFailed(logger, ex, board));
    }

    /// <summary>
    /// After a commit: <paramref name="user"/>'s score on <paramref name="board"/> changed, from <paramref name="previousRank"/>
    /// to <paramref name="rank"/>. A move wholly below the covered rows (from none or a rank past them, to a rank past them)
    /// changes none of those rows, their ranks or scores (each of them is strictly better than the user's old and new
    /// score), so it asks for no flush where ranks are exact: on SQLite, whose one writer counts every change not yet in
    /// the index. On a board of a million users nearly every update is such a move, and a flush (reading the covered rows,
    /// on Redis three scripts, one rewriting the rows shown) would otherwise run every interval beside the updates. On
    /// PostgreSQL another node's concurrent change may make a rank stale, so every change asks.
    /// </summary>
    internal void Changed(string board, string period, string user, long? previousRank, long rank)
    {
        var live = _options.Value.LeaderboardLiveRows;
        if (_ranksExact && rank > live && (previousRank is null || previousRank > live))
        {
            return;
        }
        var state = _boards.GetOrAdd(board, _ => new BoardState());
        lock (state)
        {
            if (state.Period != period)
            {
                // Another period (a new day, or a late event for an old one): the ranks moved from are not comparable.
                state.Period = period;
                state.Moved.Clear();
            }
            state.Moved.TryAdd(user, previousRank); // the first previous rank since the last flush is the one shown
        }
        _coalescer.Touch(board);
    }

    /// <summary>One flush; answers how long the board's turn is held by another node (nothing was published then).</summary>
    private async Task<TimeSpan> FlushAsync(string board)
    {
        var turn = await _shown.TakeTurnAsync(board);
        if (!turn.Granted)
        {
            return turn.HeldFor;
        }
        var published = false;
        // The rows moved by commits so far: the read below sees them. Later ones stay for the next flush.
        var state = _boards.GetOrAdd(board, _ => new BoardState());
        Dictionary<string, long?> moved;
        lock (state)
        {
            moved = state.Moved;
            state.Moved = new Dictionary<string, long?>(StringComparer.Ordinal);
        }
        try
        {
            var live = _options.Value.LeaderboardLiveRows;
            var read = await _database.ReadAsync(async tx =>
            {
                if (await DefinitionStore.FindAsync(tx, DefinitionStore.Leaderboard, board, CancellationToken.None) is not { } row)
                {
                    return null;
                }
                var view = DefinitionService.Leaderboards.Read(row);
                var period = Periods.BoardKey(view.Period, _time.GetUtcNow());
                return new
                {
                    Period = period, Ascending = view.Order == "asc",
                    Rows = await LeaderboardService.TopRowsAsync(tx, view, period, live, CancellationToken.None),
                };
            });
            if (read is null)
            {
                _boards.TryRemove(board, out _);
                await _shown.ForgetAsync(turn);
                return TimeSpan.Zero;
            }
            if (await _shown.ShowAsync(turn, read.Period, read.Rows) is not { } before)
            {
                Restore(state, moved);
                return _options.Value.LeaderboardChangeSpacing; // the lease ran out: again later
            }
            var entries = Entries(read.Rows, before.Rows, moved, live);
            entries.AddRange(await LeftAsync(new BoardSlot(board, read.Period, read.Ascending), read.Rows, before.Rows));
            if (entries.Count > 0)
            {
                published = true;
                await _publisher.PublishAsync(GamificationService.BoardChannel(board), EventType,
                    JsonSerializer.SerializeToUtf8Bytes(new LeaderboardChange(board, read.Period, entries), GamificationJsonContext.Default.LeaderboardChange));
            }
        }
        catch
        {
            if (!published)
            {
                Restore(state, moved);
            }
            throw;
        }
        finally
        {
            await _shown.EndTurnAsync(turn, published);
        }
        return TimeSpan.Zero;
    }

    /// <summary>
    /// The rows to publish: those whose rank or score differ from what was <paramref name="shown"/>, with the rank shown;
    /// those not shown, with the rank their event moved them from (known from this node's <paramref name="moved"/>).
    /// </summary>
    private List<LeaderboardChangeEntry> Entries(List<LeaderboardEntry> rows, Dictionary<string, (long Rank, double Score)>? shown,
        Dictionary<string, long?> moved, int live)
    {
        List<LeaderboardChangeEntry> entries = [];
        var shared = _shown.SharedAcrossNodes;
        foreach (var row in rows)
        {
            var isMoved = moved.TryGetValue(row.User, out var previous);
            if (shown is not null && shown.TryGetValue(row.User, out var was))
            {
                if (was.Rank != row.Rank || was.Score != row.Score)
                {
                    entries.Add(new LeaderboardChangeEntry(row.Rank, was.Rank, row.User, row.Name, row.Score));
                }
            }
            else if (shared)
            {
                // Not shown by any node yet: the rank it came from is shown only when it lay below the covered rows (within
                // them the channel would have shown it, unless another node's event brought it there first).
                entries.Add(new LeaderboardChangeEntry(row.Rank, isMoved && previous > live ? previous : null, row.User, row.Name, row.Score));
            }
            else if (shown is not null || isMoved)
            {
                entries.Add(new LeaderboardChangeEntry(row.Rank, isMoved ? previous : null, row.User, row.Name, row.Score));
            }
        }
        return entries;
    }

    /// <summary>
    /// The rows the channel <paramref name="shown"/> that the read's <paramref name="rows"/> no longer hold, with their rank
    /// now (from the ranked index: O(log n), whatever rank a fallen score has now) and the rank shown, best first. A user
    /// without a score now (none on the board) is left out.
    /// </summary>
    private async Task<List<LeaderboardChangeEntry>> LeftAsync(BoardSlot slot, List<LeaderboardEntry> rows,
        Dictionary<string, (long Rank, double Score)>? shown)
    {
        if (shown is null || shown.Count == 0)
        {
            return [];
        }
        var covered = new HashSet<string>(rows.Count, StringComparer.Ordinal);
        foreach (var row in rows)
        {
            covered.Add(row.User);
        }
        var left = shown.Keys.Where(user => !covered.Contains(user)).ToList();
        if (left.Count == 0)
        {
            return [];
        }
        var names = await _database.ReadAsync(tx => ScoreStore.NamesAsync(tx, left, CancellationToken.None));
        List<LeaderboardChangeEntry> entries = [];
        foreach (var user in left)
        {
            if (await _index.RankAsync(slot, user) is { } now)
            {
                entries.Add(new LeaderboardChangeEntry(now.Rank, shown[user].Rank, user, names.GetValueOrDefault(user, user), now.Score));
            }
        }
        entries.Sort((a, b) => a.Rank != b.Rank ? a.Rank.CompareTo(b.Rank) : string.CompareOrdinal(a.User, b.User));
        return entries;
    }

    /// <summary>A flush that published nothing leaves its moved rows to the next (an earlier previous rank wins).</summary>
    private static void Restore(BoardState state, Dictionary<string, long?> moved)
    {
        lock (state)
        {
            foreach (var (user, previous) in moved)
            {
                state.Moved[user] = previous;
            }
        }
    }

    [LoggerMessage(6301, LogLevel.Warning, "Gamification: the live view of leaderboard {Board} could not be published")]
    private static partial void LogFlushFailed(ILogger logger, Exception exception, string board);

    private sealed class BoardState
    {
        public string? Period;
        public Dictionary<string, long?> Moved = new(StringComparer.Ordinal);
    }
}
