using System.Globalization;
using Hubbub.Redis;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Hubbub.Features.Gamification;

/// <summary>
/// The live state shared by the nodes of a Redis deployment, per board under one hash tag
/// (<c>{prefix}lblive:{board}:</c>): a string <c>turn</c> holding the token of the node whose flush runs, and a hash
/// <c>shown</c> of user → "rank|score" as the channel last showed them (field "" is their period). A turn is taken with
/// <c>SET NX PX</c> for <see cref="Lease"/>, so a node that dies mid-flush holds it no longer than that; when its change is
/// published the turn is kept for the interval from then (the next change of the board, from any node, is an interval
/// later), when nothing was published it is freed. Recording what is shown checks the token in the same script, so a
/// flush that outlived its lease publishes nothing. Nothing is written on an event: only a flush (at most one per board
/// per interval across the nodes) pays four round trips, the publication included.
/// </summary>
public sealed class RedisLeaderboardLiveState(RedisConnection redis, IOptions<GamificationOptions> options) : ILeaderboardLiveState
{
    /// <summary>How long a flush may hold a board's turn before another node may take it (a node that died in one).</summary>
    public static readonly TimeSpan Lease = TimeSpan.FromSeconds(5);

    /// <summary>How long what a board showed is kept after its last change (a board quiet for longer lists every row next time).</summary>
    private static readonly TimeSpan ShownFor = TimeSpan.FromDays(7);

    private const string PeriodField = "";

    /// <inheritdoc />
    public bool SharedAcrossNodes => true;

    /// <inheritdoc />
    public async Task<LiveTurn> TakeTurnAsync(string board)
    {
        var token = Guid.NewGuid().ToString("N");
        var held = (long)await redis.ExecuteAsync(m => m.GetDatabase().ScriptEvaluateAsync(Scripts.Take, [TurnKey(board)],
            [token, (long)Lease.TotalMilliseconds]));
        return held == 0 ? new LiveTurn(board, token, TimeSpan.Zero) : new LiveTurn(board, null, TimeSpan.FromMilliseconds(held));
    }

    /// <inheritdoc />
    public async Task<ShownRows?> ShowAsync(LiveTurn turn, string period, IReadOnlyList<LeaderboardEntry> rows)
    {
        var args = new RedisValue[4 + rows.Count * 2];
        args[0] = turn.Token;
        args[1] = period;
        args[2] = (long)ShownFor.TotalMilliseconds;
        args[3] = PeriodField;
        for (var i = 0; i < rows.Count; i++)
        {
            args[4 + i * 2] = rows[i].User;
            args[5 + i * 2] = rows[i].Rank.ToString(CultureInfo.InvariantCulture) + "|" + rows[i].Score.ToString("R", CultureInfo.InvariantCulture);
        }
        var result = await redis.ExecuteAsync(m => m.GetDatabase().ScriptEvaluateAsync(Scripts.Show, [TurnKey(turn.Board), ShownKey(turn.Board)], args));
        if (result.Resp2Type == ResultType.Integer)
        {
            return null; // the lease ran out and the turn may be another node's now
        }
        var before = (RedisResult[])result!;
        string? shownPeriod = null;
        var shown = new Dictionary<string, (long Rank, double Score)>(before.Length / 2, StringComparer.Ordinal);
        for (var i = 0; i + 1 < before.Length; i += 2)
        {
            var field = (string)before[i]!;
            var value = (string)before[i + 1]!;
            if (field.Length == 0)
            {
                shownPeriod = value;
                continue;
            }
            var bar = value.IndexOf('|', StringComparison.Ordinal);
            shown[field] = (long.Parse(value.AsSpan(0, bar), CultureInfo.InvariantCulture), double.Parse(value.AsSpan(bar + 1), CultureInfo.InvariantCulture));
        }
        return shownPeriod == period ? new ShownRows(shown) : ShownRows.Nothing;
    }

    /// <inheritdoc />
    public Task EndTurnAsync(LiveTurn turn, bool published) =>
        redis.ExecuteAsync(m => m.GetDatabase().ScriptEvaluateAsync(Scripts.End, [TurnKey(turn.Board), ShownKey(turn.Board)],
            [turn.Token, published ? (long)options.Value.LeaderboardChangeSpacing.TotalMilliseconds : 0, 0]));

    /// <inheritdoc />
    public Task ForgetAsync(LiveTurn turn) =>
        redis.ExecuteAsync(m => m.GetDatabase().ScriptEvaluateAsync(Scripts.End, [TurnKey(turn.Board), ShownKey(turn.Board)], [turn.Token, 0, 1]));

    private RedisKey TurnKey(string board) => $"{redis.Options.KeyPrefix}lblive:{{{board}}}:turn";

    private RedisKey ShownKey(string board) => $"{redis.Options.KeyPrefix}lblive:{{{board}}}:shown";

    private static class Scripts
    {
        /// <summary>KEYS: turn. ARGV: token, lease ms. Answers 0 when the turn is taken, else the ms it is held for.</summary>
        public const string Take = """
            if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 0 end
            local held = redis.call('PTTL', KEYS[1])
            if held < 1 then return 1 end
            return held
            """;

        /// <summary>
        /// KEYS: turn, shown. ARGV: token, period, ttl ms, the period's field, then (user, "rank|score") per row. Answers -1
        /// when the turn is not the token's; else replaces what is shown and answers what was (HGETALL).
        /// </summary>
        public const string Show = """
            if redis.call('GET', KEYS[1]) ~= ARGV[1] then return -1 end
            local before = redis.call('HGETALL', KEYS[2])
            redis.call('DEL', KEYS[2])
            redis.call('HSET', KEYS[2], ARGV[4], ARGV[2], unpack(ARGV, 5))
            redis.call('PEXPIRE', KEYS[2], ARGV[3])
            return before
            """;

        /// <summary>
        /// KEYS: turn, shown. ARGV: token, ms the turn stays held (0: freed now), 1 to forget what is shown. Does nothing
        /// when the turn is not the token's.
        /// </summary>
        public const string End = """
            if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
            if ARGV[3] == '1' then redis.call('DEL', KEYS[2]) end
            if ARGV[2] == '0' then redis.call('DEL', KEYS[1]) else redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
            return 1
            """;
    }
}
