using System.Collections.Concurrent;
using System.Text.Json;
using Hubbub.Core.Publishing;
using Hubbub.Features.Kit;
using Microsoft.Extensions.Options;

namespace Hubbub.Features.Gamification;

/// <summary>
/// <c>leaderboard_change</c> on <c>leaderboard:{key}</c>, coalesced to at most one per board per
/// <see cref="GamificationOptions.LeaderboardChangeIntervalMs"/> on each node. A flush re-reads the board's top
/// <see cref="GamificationOptions.LeaderboardLiveRows"/> rows from the database after the commits that changed it (so
/// nothing that rolled back is ever shown) and publishes the rows whose rank or score differ from what this node last
/// published, with the rank they had then. On a node's first flush of a board, only the rows its own events moved are
/// known to have moved, so only those are published. It is a live view of committed state rather than a record of a
/// change, so it is published directly, not through the outbox: a lost one is corrected by the next.
/// </summary>
public sealed partial class LeaderboardLive
{
    /// <summary>The event on <c>leaderboard:{key}</c>.</summary>
    public const string EventType = "leaderboard_change";

    private readonly FeatureDatabase _database;
    private readonly IChannelPublisher _publisher;
    private readonly IOptions<GamificationOptions> _options;
    private readonly TimeProvider _time;
    private readonly Coalescer _coalescer;
    private readonly ConcurrentDictionary<string, BoardState> _boards = new(StringComparer.Ordinal);

    /// <summary>Creates the live view; one per node.</summary>
    public LeaderboardLive(FeatureDatabase database, IChannelPublisher publisher, IOptions<GamificationOptions> options, TimeProvider time,
        ILogger<LeaderboardLive> logger)
    {
        _database = database;
        _publisher = publisher;
        _options = options;
        _time = time;
        _coalescer = new Coalescer(time, TimeSpan.FromMilliseconds(options.Value.LeaderboardChangeIntervalMs), FlushAsync,
            (board, ex) => LogFlushFailed(logger, ex, board));
    }

    /// <summary>After a commit: <paramref name="user"/>'s score on <paramref name="board"/> changed, from <paramref name="previousRank"/>.</summary>
    internal void Changed(string board, string period, string user, long? previousRank)
    {
        var state = _boards.GetOrAdd(board, _ => new BoardState());
        lock (state)
        {
            if (state.Period != period)
            {
                // Another period (a new day, or a late event for an old one): what was published is not comparable.
                state.Period = period;
                state.Published = null;
                state.Moved.Clear();
            }
            state.Moved.TryAdd(user, previousRank); // the first previous rank since the last flush is the one shown
        }
        _coalescer.Touch(board);
    }

    private async Task FlushAsync(string board)
    {
        var state = _boards.GetOrAdd(board, _ => new BoardState());
        var live = _options.Value.LeaderboardLiveRows;
        var read = await _database.ReadAsync(async tx =>
        {
            if (await DefinitionStore.FindAsync(tx, DefinitionStore.Leaderboard, board, CancellationToken.None) is not { } row)
            {
                return null;
            }
            var view = DefinitionService.Leaderboards.Read(row);
            var period = Periods.BoardKey(view.Period, _time.GetUtcNow());
            return new { Period = period, Rows = await LeaderboardService.TopRowsAsync(tx, view, period, live, CancellationToken.None) };
        });
        if (read is null)
        {
            _boards.TryRemove(board, out _);
            return;
        }
        List<LeaderboardChangeEntry> entries = [];
        lock (state)
        {
            var published = state.Period == read.Period ? state.Published : null;
            foreach (var row in read.Rows)
            {
                var moved = state.Moved.TryGetValue(row.User, out var previous);
                if (published is not null && published.TryGetValue(row.User, out var was))
                {
                    if (was.Rank != row.Rank || was.Score != row.Score)
                    {
                        entries.Add(new LeaderboardChangeEntry(row.Rank, was.Rank, row.User, row.Name, row.Score));
                    }
                }
                else if (published is not null || moved)
                {
                    entries.Add(new LeaderboardChangeEntry(row.Rank, moved ? previous : null, row.User, row.Name, row.Score));
                }
            }
            state.Period = read.Period;
            state.Published = read.Rows.ToDictionary(r => r.User, r => (r.Rank, r.Score), StringComparer.Ordinal);
            state.Moved.Clear();
        }
        if (entries.Count > 0)
        {
            await _publisher.PublishAsync(GamificationService.BoardChannel(board), EventType,
                JsonSerializer.SerializeToUtf8Bytes(new LeaderboardChange(board, read.Period, entries), GamificationJsonContext.Default.LeaderboardChange));
        }
    }

    [LoggerMessage(6301, LogLevel.Warning, "Gamification: the live view of leaderboard {Board} could not be published")]
    private static partial void LogFlushFailed(ILogger logger, Exception exception, string board);

    private sealed class BoardState
    {
        public string? Period;
        public Dictionary<string, (long Rank, double Score)>? Published;
        public readonly Dictionary<string, long?> Moved = new(StringComparer.Ordinal);
    }
}
