using Hubbub.Core;
using Hubbub.Features.Gamification.Ranking;
using Hubbub.Features.Kit;
using Hubbub.Features.Kit.Users;
using Hubbub.Storage;

namespace Hubbub.Features.Gamification;

/// <summary>
/// Reads leaderboards: the top rows and the rows around a user, of the current period or a past one (<c>?period=</c>,
/// kept for ever). The current period is read from the ranked index (<see cref="ILeaderboardIndex"/>, O(log n) per
/// rank and page) with the names from the database; a past period, which no longer changes, from the database's index
/// in one count and one range read each (see <see cref="ScoreStore"/>).
/// </summary>
public sealed class LeaderboardService(FeatureDatabase database, DefinitionService definitions, IFriendGraph friends, ILeaderboardIndex index,
    TimeProvider time)
{
    /// <summary>Rows of a top list by default, and at most.</summary>
    public const int DefaultLimit = 10, MaxLimit = 100;

    /// <summary>Rows on each side of a user by default, and at most.</summary>
    public const int DefaultAround = 5, MaxAround = 50;

    /// <summary>
    /// A page of <paramref name="limit"/> rows of a board: the first, or the one <paramref name="cursor"/> (a
    /// <c>next_cursor</c> of a page before) names. Reads one row more than it answers, to know whether a page follows.
    /// </summary>
    public async Task<LeaderboardPage> TopAsync(string key, int? limit, string? period, string? cursor, CancellationToken ct)
    {
        var start = LeaderboardCursor.Parse(cursor);
        var (board, periodKey, resets) = await ResolveAsync(key, period, ct);
        var count = Limit(limit, DefaultLimit, MaxLimit);
        var ascending = board.Order == "asc";
        List<LeaderboardEntry> entries;
        if (IsCurrent(board, periodKey))
        {
            entries = await NamedAsync(await index.RangeAsync(new BoardSlot(board.Key, periodKey, ascending), start, count + 1, ct), ct);
        }
        else
        {
            entries = await database.ReadAsync(async tx =>
            {
                var rows = await ScoreStore.PageAsync(tx, board.Key, periodKey, ascending, start, count + 1, ct);
                return rows.Count == 0 ? [] : Ranked(rows, await ScoreStore.RankOfAsync(tx, board.Key, periodKey, rows[0].Score, ascending, ct), start + 1);
            }, ct);
        }
        return Paged(board.Key, periodKey, entries, start, count, resets);
    }

    /// <summary>The user's row with up to <paramref name="limit"/> rows before and after it; none when the user has no score.</summary>
    public async Task<LeaderboardPage> AroundAsync(string key, string user, int? limit, string? period, CancellationToken ct)
    {
        UserDirectory.CheckUserId(user);
        var (board, periodKey, resets) = await ResolveAsync(key, period, ct);
        var count = Limit(limit, DefaultAround, MaxAround);
        var ascending = board.Order == "asc";
        if (IsCurrent(board, periodKey))
        {
            var slot = new BoardSlot(board.Key, periodKey, ascending);
            // The window and the board's size in one read (one round trip on Redis): the window ends where the board does,
            // or a page of the rows after it follows.
            var (window, held) = await index.AroundCountedAsync(slot, user, count, ct);
            var next = window.Count > 0 && window[^1].Position < held ? LeaderboardCursor.Of(window[^1].Position) : null;
            return new LeaderboardPage(board.Key, periodKey, await NamedAsync(window, ct), resets, next);
        }
        var (entries, after) = await database.ReadAsync(async tx =>
        {
            if (await ScoreStore.FindAsync(tx, board.Key, periodKey, user, ct) is not { } me)
            {
                return ([], false);
            }
            var window = await ScoreStore.BeforeAsync(tx, board.Key, periodKey, me, ascending, count, ct);
            window.Add(me);
            var later = await ScoreStore.AfterAsync(tx, board.Key, periodKey, me, ascending, count + 1, ct); // one more: does a page follow?
            window.AddRange(later.Take(count));
            var first = window[0];
            return (Ranked(window, await ScoreStore.RankOfAsync(tx, board.Key, periodKey, first.Score, ascending, ct),
                await ScoreStore.PositionOfAsync(tx, board.Key, periodKey, first, ascending, ct)), later.Count > count);
        }, ct);
        return new LeaderboardPage(board.Key, periodKey, entries, resets, after ? LeaderboardCursor.Of(entries[^1].Position) : null);
    }

    /// <summary>
    /// The board among <paramref name="user"/> and their friends (as the kit's <see cref="IFriendGraph"/> knows them): a
    /// page of <paramref name="limit"/> of them (the first, or the one <paramref name="cursor"/> names), ranked among
    /// themselves (ties share a rank, across pages too). Friends are bounded by the feature that keeps them
    /// (Social:MaxFriends), so their rows are read by id, ordered and ranked in memory, then the page is cut.
    /// </summary>
    public async Task<LeaderboardPage> FriendsAsync(string key, string user, int? limit, string? period, string? cursor, CancellationToken ct)
    {
        UserDirectory.CheckUserId(user);
        var start = LeaderboardCursor.Parse(cursor);
        var (board, periodKey, resets) = await ResolveAsync(key, period, ct);
        var count = Limit(limit, DefaultLimit, MaxLimit);
        var entries = await database.ReadAsync(async tx =>
        {
            var people = (await friends.FriendsOfAsync(tx, user, ct)).Append(user).Distinct(StringComparer.Ordinal).ToList();
            var rows = await ScoreStore.OfUsersAsync(tx, board.Key, periodKey, people, ct);
            rows.Sort(ScoreStore.Comparer(board.Order == "asc"));
            return Ranked(rows, 1, 1).Skip((int)Math.Min(start, rows.Count)).Take(count + 1).ToList();
        }, ct);
        return Paged(board.Key, periodKey, entries, start, count, resets);
    }

    /// <summary>The top rows of a board in one transaction, for the live view.</summary>
    internal static async Task<List<LeaderboardEntry>> TopRowsAsync(DatabaseTransaction tx, LeaderboardView board, string period, int limit,
        CancellationToken ct) =>
        Ranked(await ScoreStore.PageAsync(tx, board.Key, period, board.Order == "asc", 0, limit, ct), 1, 1);

    /// <summary>Whether <paramref name="period"/> is the board's current one, the one the ranked index holds.</summary>
    private bool IsCurrent(LeaderboardView board, string period) => period == Periods.BoardKey(board.Period, time.GetUtcNow());

    /// <summary>The index's entries with the users' display names.</summary>
    private async Task<List<LeaderboardEntry>> NamedAsync(IReadOnlyList<RankedScore> rows, CancellationToken ct)
    {
        if (rows.Count == 0)
        {
            return [];
        }
        var names = await database.ReadAsync(tx => ScoreStore.NamesAsync(tx, rows.Select(r => r.User).ToList(), ct), ct);
        return rows.Select(r => new LeaderboardEntry(r.Rank, r.User, names[r.User], r.Score) { Position = r.Position }).ToList();
    }

    /// <summary>Ranks rows given in order: the first has <paramref name="firstRank"/> and <paramref name="firstPosition"/>; ties share a rank.</summary>
    private static List<LeaderboardEntry> Ranked(List<ScoreRow> rows, long firstRank, long firstPosition)
    {
        var entries = new List<LeaderboardEntry>(rows.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            var rank = i == 0 ? firstRank : rows[i].Score == rows[i - 1].Score ? entries[i - 1].Rank : firstPosition + i;
            entries.Add(new LeaderboardEntry(rank, rows[i].User, rows[i].Name, rows[i].Score) { Position = firstPosition + i });
        }
        return entries;
    }

    /// <summary>
    /// The page of <paramref name="count"/> rows from <paramref name="start"/>, given up to one more: when that one is
    /// there, a page follows it and <c>next_cursor</c> names it.
    /// </summary>
    private static LeaderboardPage Paged(string board, string period, List<LeaderboardEntry> entries, long start, int count, DateTime? resets) =>
        entries.Count > count
            ? new LeaderboardPage(board, period, entries[..count], resets, LeaderboardCursor.Of(start + count))
            : new LeaderboardPage(board, period, entries, resets);

    private async Task<(LeaderboardView Board, string Period, DateTime? ResetsAt)> ResolveAsync(string key, string? period, CancellationToken ct)
    {
        var board = await definitions.GetAsync(DefinitionService.Leaderboards, DefinitionRules.Key(key), ct);
        if (period is null)
        {
            var now = time.GetUtcNow();
            return (board, Periods.BoardKey(board.Period, now), Periods.BoardResetsAt(board.Period, now)?.UtcDateTime);
        }
        return Periods.IsBoardKey(board.Period, period)
            ? (board, period, Periods.BoardKeyEnds(board.Period, period)?.UtcDateTime)
            : throw HubbubException.BadRequest(board.Period switch
            {
                "daily" => "'period' of a daily board is a date: 2026-12-01",
                "weekly" => "'period' of a weekly board is an ISO week: 2026-W49",
                "monthly" => "'period' of a monthly board is a month: 2026-12",
                _ => "'period' of an all-time board is 'all'",
            });
    }

    private static int Limit(int? limit, int fallback, int max) => limit switch
    {
        null => fallback,
        >= 1 when limit <= max => limit.Value,
        _ => throw HubbubException.BadRequest($"'limit' must be from 1 to {max}"),
    };
}
