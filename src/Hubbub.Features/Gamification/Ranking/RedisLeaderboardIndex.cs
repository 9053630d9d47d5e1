using System.Collections.Concurrent;
using System.Globalization;
using Hubbub.Features.Kit;
using Hubbub.Redis;
using StackExchange.Redis;

namespace Hubbub.Features.Gamification.Ranking;

/// <summary>
/// The ranked index in Redis, shared by every node (used when Redis is configured). Per board, period and order, under
/// one hash tag (<c>{prefix}lb:{board:period}:desc:</c>): a sorted set <c>z</c> whose member is the moment the score was
/// reached (16 digits) then the user id, scored by the score in the board's direction (negated for <c>desc</c>), so
/// ZRANGE's order is the board's (better score, reached first, user id); a hash <c>h</c> of user → "version|member";
/// and a flag <c>ready</c> set once a build from the database has loaded the set. A rank is 1 + ZCOUNT of the strictly
/// better scores. Every operation is one Lua script (<see cref="RankingScripts"/>), so it sees one state: an apply keeps
/// the higher version, a read of a set that is not ready answers -1 and the node builds it (reading every score of the
/// board and period from the database and loading it by version, in batches), then reads again. A failed apply marks
/// the board for a rebuild by this node before its next read. Periods other than <c>all</c> expire a day after they end.
/// </summary>
public sealed partial class RedisLeaderboardIndex(RedisConnection redis, FeatureDatabase database, TimeProvider time,
    ILogger<RedisLeaderboardIndex> logger) : ILeaderboardIndex
{
    private const int LoadBatch = 1000;

    private readonly Dictionary<string, Task> _building = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _stale = new(StringComparer.Ordinal);

    /// <summary>Applies a committed score. Never throws: when Redis cannot be reached, the board is rebuilt by this node before its next read.</summary>
    public async Task ApplyAsync(BoardSlot board, IndexedScore score, CancellationToken cancellationToken = default)
    {
        var keys = Keys(board);
        using var timer = RankingMetrics.Time(RankingMetrics.RedisApply);
        try
        {
            await redis.ExecuteAsync(m => m.GetDatabase().ScriptEvaluateAsync(RankingScripts.Apply, keys.Apply,
                [TtlMs(board), score.User, score.Version, Orient(board, score.Score), Member(score)]));
        }
        catch (Exception ex)
        {
            _stale[keys.Base] = true;
            LogApplyFailed(logger, ex, board.Board, board.Period);
        }
    }

    /// <inheritdoc />
    public async Task<UserRank?> RankAsync(BoardSlot board, string user, CancellationToken cancellationToken = default)
    {
        var keys = Keys(board);
        var result = await ReadAsync(board, keys, RankingScripts.Rank, keys.Read, [user]);
        var parts = (RedisResult[])result!;
        return parts.Length == 0
            ? null
            : new UserRank(1 + (long)parts[0], 1 + (long)parts[1], Unorient(board, double.Parse((string)parts[2]!, CultureInfo.InvariantCulture)));
    }

    /// <inheritdoc />
    public async Task<long> RankOfScoreAsync(BoardSlot board, double score, string? exceptUser, CancellationToken cancellationToken = default) =>
        (await RanksOfScoresAsync(board, [score], exceptUser, cancellationToken))[0];

    /// <inheritdoc />
    public async Task<long[]> RanksOfScoresAsync(BoardSlot board, IReadOnlyList<double> scores, string? exceptUser,
        CancellationToken cancellationToken = default) =>
        (await RanksAndBehindAsync(board, scores, exceptUser, [], 0, 0, cancellationToken)).Ranks;

    /// <inheritdoc />
    public async Task<RanksRead> RanksAndBehindAsync(BoardSlot board, IReadOnlyList<double> scores, string? exceptUser,
        IReadOnlyList<PendingScore> pending, double behind, int behindLimit, CancellationToken cancellationToken = default)
    {
        var keys = Keys(board);
        using var timer = RankingMetrics.Time(RankingMetrics.RedisRank);
        var args = new RedisValue[4 + scores.Count + pending.Count * 3];
        args[0] = exceptUser ?? "";
        args[1] = Math.Max(0, behindLimit);
        args[2] = Orient(board, behind);
        args[3] = scores.Count;
        for (var i = 0; i < scores.Count; i++)
        {
            args[4 + i] = Orient(board, scores[i]);
        }
        // The pending changes are corrected inside the script, against the versions the hash holds in that same state.
        for (int i = 0, at = 4 + scores.Count; i < pending.Count; i++, at += 3)
        {
            args[at] = pending[i].User;
            args[at + 1] = pending[i].Version;
            args[at + 2] = Orient(board, pending[i].Score);
        }
        var parts = (RedisResult[])(await ReadAsync(board, keys, RankingScripts.RanksAndBehind, keys.Read, args))!;
        var ranks = ((RedisResult[])parts[0]!).Select(b => 1 + (long)b).ToArray();
        return new RanksRead(ranks, behindLimit > 0 ? Page(board, (RedisResult[])parts[1]!, 2) : null);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<RankedScore>> RangeAsync(BoardSlot board, long start, int limit, CancellationToken cancellationToken = default)
    {
        var keys = Keys(board);
        var parts = (RedisResult[])(await ReadAsync(board, keys, RankingScripts.Around, keys.Read, ["", limit, start]))!;
        return Page(board, parts, 3);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<RankedScore>> AroundAsync(BoardSlot board, string user, int limit, CancellationToken cancellationToken = default)
    {
        var keys = Keys(board);
        var parts = (RedisResult[])(await ReadAsync(board, keys, RankingScripts.Around, keys.Read, [user, limit, 0]))!;
        return Page(board, parts, 3);
    }

    /// <inheritdoc />
    public async Task<RankedWindow> AroundCountedAsync(BoardSlot board, string user, int limit, CancellationToken cancellationToken = default)
    {
        var keys = Keys(board);
        var parts = (RedisResult[])(await ReadAsync(board, keys, RankingScripts.Around, keys.Read, [user, limit, 0]))!;
        return new RankedWindow(Page(board, parts, 3), (long)parts[0]);
    }

    /// <inheritdoc />
    public async Task<long> CountAsync(BoardSlot board, CancellationToken cancellationToken = default)
    {
        var keys = Keys(board);
        return (long)await ReadAsync(board, keys, RankingScripts.Count, keys.Read, []);
    }

    /// <inheritdoc />
    public async Task InvalidateAsync(BoardSlot board, CancellationToken cancellationToken = default)
    {
        var keys = Keys(board);
        await redis.ExecuteAsync(m => m.GetDatabase().KeyDeleteAsync(keys.Read[2]));
    }

    /// <summary>Runs a read script; a set that is not ready (or that this node failed to update) is built first.</summary>
    private async Task<RedisResult> ReadAsync(BoardSlot board, BoardKeys keys, string script, RedisKey[] scriptKeys, RedisValue[] args)
    {
        for (var attempt = 0; ; attempt++)
        {
            if (_stale.TryRemove(keys.Base, out _))
            {
                await BuildAsync(board, keys);
            }
            var result = await redis.ExecuteAsync(m => m.GetDatabase().ScriptEvaluateAsync(script, scriptKeys, args));
            if (result.Resp2Type != ResultType.Integer || (long)result != -1)
            {
                return result;
            }
            if (attempt == 3)
            {
                throw new InvalidOperationException($"the ranked index of leaderboard {board.Board} ({board.Period}) did not stay built");
            }
            await BuildAsync(board, keys);
        }
    }

    /// <summary>Builds the set from the database, one build per node at a time (another node may build it too: loads are by version).</summary>
    private Task BuildAsync(BoardSlot board, BoardKeys keys)
    {
        lock (_building)
        {
            if (_building.TryGetValue(keys.Base, out var running) && !running.IsCompleted)
            {
                return running;
            }
            var build = LoadAsync(board, keys);
            _building[keys.Base] = build;
            return build;
        }
    }

    private async Task LoadAsync(BoardSlot board, BoardKeys keys)
    {
        await Task.Yield(); // not under the caller's lock
        var scores = await database.ReadAsync(tx => ScoreStore.AllAsync(tx, board.Board, board.Period, CancellationToken.None));
        var ttl = TtlMs(board);
        var batches = scores.Chunk(LoadBatch).Select(chunk =>
        {
            var args = new RedisValue[1 + chunk.Length * 4];
            args[0] = ttl;
            for (var i = 0; i < chunk.Length; i++)
            {
                args[1 + i * 4] = chunk[i].User;
                args[2 + i * 4] = chunk[i].Version;
                args[3 + i * 4] = Orient(board, chunk[i].Score);
                args[4 + i * 4] = Member(chunk[i]);
            }
            return args;
        });
        // A few batches in flight at once: Redis runs them one after another, the round trips overlap.
        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (args, _) =>
            await redis.ExecuteAsync(m => m.GetDatabase().ScriptEvaluateAsync(RankingScripts.Apply, keys.Apply, args), failFast: false));
        await redis.ExecuteAsync(m => m.GetDatabase().ScriptEvaluateAsync(RankingScripts.Ready, keys.Apply, [ttl]), failFast: false);
        LogBuilt(logger, board.Board, board.Period, scores.Count);
    }

    /// <summary>
    /// A script's page of entries from <paramref name="head"/>: {…, better-than-first, start, member, score, member, score,
    /// …}, the two counts just before <paramref name="head"/> (the Around script's answer leads with the entries held).
    /// </summary>
    private static IReadOnlyList<RankedScore> Page(BoardSlot board, RedisResult[] parts, int head)
    {
        var rows = new List<(string User, double Score)>(Math.Max(0, (parts.Length - head) / 2));
        for (var i = head; i + 1 < parts.Length; i += 2)
        {
            rows.Add((((string)parts[i]!)[MemberPrefix..], Unorient(board, double.Parse((string)parts[i + 1]!, CultureInfo.InvariantCulture))));
        }
        return rows.Count == 0 ? [] : Ranks.Assign(rows, 1 + (long)parts[head - 2], 1 + (long)parts[head - 1]);
    }

    private const int MemberPrefix = 16;

    /// <summary>Orders ties by who reached the score first, then by user id (ids are ASCII, so byte order is ordinal order).</summary>
    private static string Member(IndexedScore score) =>
        score.ReachedMs.ToString("D16", CultureInfo.InvariantCulture) + score.User;

    private static double Orient(BoardSlot board, double score) => board.Ascending ? score : -score;

    private static double Unorient(BoardSlot board, double oriented) => board.Ascending ? oriented : -oriented;

    /// <summary>How long the keys of a period outlive it: until a day after it ends (0: for ever, the <c>all</c> period).</summary>
    private long TtlMs(BoardSlot board)
    {
        var ends = Periods.BoardKeyEnds("daily", board.Period) ?? Periods.BoardKeyEnds("weekly", board.Period)
            ?? Periods.BoardKeyEnds("monthly", board.Period);
        return ends is { } end ? Math.Max(3_600_000, (long)(end - time.GetUtcNow() + TimeSpan.FromDays(1)).TotalMilliseconds) : 0;
    }

    private BoardKeys Keys(BoardSlot board)
    {
        var tag = $"{redis.Options.KeyPrefix}lb:{{{board.Board}:{board.Period}}}:";
        var order = board.Ascending ? "asc:" : "desc:";
        var other = board.Ascending ? "desc:" : "asc:";
        RedisKey z = tag + order + "z", h = tag + order + "h", ready = tag + order + "ready", otherReady = tag + other + "ready";
        return new BoardKeys(tag + order, [z, h, ready, otherReady], [z, h, ready]);
    }

    private sealed record BoardKeys(string Base, RedisKey[] Apply, RedisKey[] Read);

    /// <inheritdoc />
    public async Task<IReadOnlyList<RankedScore>?> BehindAsync(BoardSlot board, double score, int limit, CancellationToken cancellationToken = default) =>
        limit <= 0 ? [] : (await RanksAndBehindAsync(board, [], null, [], score, limit, cancellationToken)).Behind;

    [LoggerMessage(6310, LogLevel.Warning, "Gamification: a score of leaderboard {Board} ({Period}) did not reach Redis; this node rebuilds the board's index before its next read")]
    private static partial void LogApplyFailed(ILogger logger, Exception exception, string board, string period);

    [LoggerMessage(6311, LogLevel.Information, "Gamification: the Redis index of leaderboard {Board} ({Period}) was built from {Count} scores")]
    private static partial void LogBuilt(ILogger logger, string board, string period, int count);
}
