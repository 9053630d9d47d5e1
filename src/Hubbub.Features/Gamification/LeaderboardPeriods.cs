using System.Globalization;
using Hubbub.Core;
using Hubbub.Features.Kit;
using Hubbub.Storage;

namespace Hubbub.Features.Gamification;

/// <summary>
/// <c>GET /api/leaderboards/{key}/periods</c>: the periods a board has scores in, newest first, each with when it ended
/// (null for the current one, and for <c>all</c>): what a page offering "last week", "last month" reads before asking
/// a board with <c>?period=</c>. Periods are kept for ever, so the list is paged (<c>?limit=</c>, <c>?before=</c>).
/// </summary>
public sealed class LeaderboardPeriods(FeatureDatabase database, DefinitionService definitions, TimeProvider time)
{
    public const int DefaultLimit = 20;
    public const int MaxLimit = 100;

    /// <summary>A page of periods before <paramref name="before"/> (a period key), newest first.</summary>
    public async Task<BoardPeriodList> ListAsync(string key, string? before, int? limit, CancellationToken ct)
    {
        var board = await definitions.GetAsync(DefinitionService.Leaderboards, DefinitionRules.Key(key), ct);
        var count = limit ?? DefaultLimit;
        if (count is < 1 or > MaxLimit)
        {
            throw HubbubException.BadRequest($"'limit' must be between 1 and {MaxLimit}");
        }
        if (before is not null && !Periods.IsBoardKey(board.Period, before))
        {
            throw HubbubException.BadRequest("'before' must be a period of the board (a next_cursor)");
        }
        // One index probe per period (the greatest key below the last), not a scan of the board's scores.
        var keys = await database.ReadAsync(async tx => (await tx.QueryAsync<string>(
            $"""
            WITH RECURSIVE p(k, n) AS (
                SELECT (SELECT MAX(period_key) FROM gam_scores WHERE board = @board{(before is null ? "" : " AND period_key < @before")}), 1
                UNION ALL
                SELECT (SELECT MAX(period_key) FROM gam_scores WHERE board = @board AND period_key < p.k), p.n + 1 FROM p
                WHERE p.k IS NOT NULL AND p.n <= @count
            )
            SELECT k FROM p WHERE k IS NOT NULL ORDER BY n
            """, new { board = board.Key, before, count }, ct)).ToList(), ct);
        var current = Periods.BoardKey(board.Period, time.GetUtcNow());
        var periods = keys.Take(count)
            .Select(k => new BoardPeriod(k, k == current, k == current ? null : EndOf(k)?.UtcDateTime))
            .ToList();
        return new BoardPeriodList(board.Key, periods, keys.Count > count ? periods[^1].Period : null);
    }

    // A board's period may have changed (PUT): a key is read as whatever kind of period it names.
    private static DateTimeOffset? EndOf(string key) =>
        Periods.BoardKeyEnds("daily", key) ?? Periods.BoardKeyEnds("weekly", key) ?? Periods.BoardKeyEnds("monthly", key);
}
