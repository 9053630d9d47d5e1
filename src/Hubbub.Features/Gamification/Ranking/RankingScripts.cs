namespace Hubbub.Features.Gamification.Ranking;

/// <summary>
/// The Lua scripts of <see cref="RedisLeaderboardIndex"/>. Keys: 1 the sorted set, 2 the hash user → "version|member",
/// 3 the ready flag (4, for an apply: the other order's ready flag). A read of a set that is not ready answers -1.
/// </summary>
internal static class RankingScripts
{
    /// <summary>Prepended to the scripts that read the hash: its "version|member" values read in one place.</summary>
    private const string HeldEntry = """
        local function version_of(held) return tonumber(string.sub(held, 1, string.find(held, '|', 1, true) - 1)) end
        local function member_of(held) return string.sub(held, string.find(held, '|', 1, true) + 1) end

        """;

    /// <summary>
    /// ARGV: ttl ms (0: none), then (user, version, score, member) per entry. Keeps each entry unless the hash holds a
    /// version at least as new; unmarks the other order's set (the board's order changed: it is stale now). Answers how
    /// many entries it took.
    /// </summary>
    public const string Apply = HeldEntry + """
        local ttl = tonumber(ARGV[1])
        local applied = 0
        for i = 2, #ARGV, 4 do
          local current = redis.call('HGET', KEYS[2], ARGV[i])
          local newer = true
          if current then
            if version_of(current) >= tonumber(ARGV[i + 1]) then
              newer = false
            else
              redis.call('ZREM', KEYS[1], member_of(current))
            end
          end
          if newer then
            redis.call('ZADD', KEYS[1], ARGV[i + 2], ARGV[i + 3])
            redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1] .. '|' .. ARGV[i + 3])
            applied = applied + 1
          end
        end
        redis.call('DEL', KEYS[4])
        if ttl > 0 then
          redis.call('PEXPIRE', KEYS[1], ttl)
          redis.call('PEXPIRE', KEYS[2], ttl)
          redis.call('PEXPIRE', KEYS[3], ttl)
        end
        return applied
        """;

    /// <summary>ARGV: ttl ms (0: none). Marks the set built.</summary>
    public const string Ready = """
        if tonumber(ARGV[1]) > 0 then
          redis.call('SET', KEYS[3], '1', 'PX', ARGV[1])
        else
          redis.call('SET', KEYS[3], '1')
        end
        return 1
        """;

    /// <summary>ARGV: user. Answers {scores strictly better, 0-based position, score}, or {} when the user has none.</summary>
    public const string Rank = HeldEntry + """
        if redis.call('EXISTS', KEYS[3]) == 0 then return -1 end
        local current = redis.call('HGET', KEYS[2], ARGV[1])
        if not current then return {} end
        local member = member_of(current)
        local score = redis.call('ZSCORE', KEYS[1], member)
        return {redis.call('ZCOUNT', KEYS[1], '-inf', '(' .. score), redis.call('ZRANK', KEYS[1], member), score}
        """;

    /// <summary>
    /// ARGV: user to leave out ('' for none), behind limit, behind score, n, then n scores, then (user, version, score)
    /// per pending change. Answers {the scores strictly better than each score, in order; the entries behind}: the
    /// former count each pending change (but the left-out user's) at its score instead of the user's held entry, unless
    /// the hash holds that user at the same or a newer version (applied: counted already); the latter, when the limit is
    /// positive, up to that many entries from the first strictly worse than the behind score, as {scores strictly better
    /// than the first, its 0-based position, member, score, …} ({} when there are none). One script, so an event's ranks,
    /// their correction and whom it passed are read from one state in one round trip.
    /// </summary>
    public const string RanksAndBehind = HeldEntry + """
        if redis.call('EXISTS', KEYS[3]) == 0 then return -1 end
        local own = nil
        if ARGV[1] ~= '' then
          local current = redis.call('HGET', KEYS[2], ARGV[1])
          if current then
            own = tonumber(redis.call('ZSCORE', KEYS[1], member_of(current)))
          end
        end
        local n = tonumber(ARGV[4])
        local scores = {}
        local answers = {}
        for i = 1, n do
          scores[i] = tonumber(ARGV[4 + i])
          local better = redis.call('ZCOUNT', KEYS[1], '-inf', '(' .. ARGV[4 + i])
          if own and own < scores[i] then better = better - 1 end
          answers[i] = better
        end
        for j = 5 + n, #ARGV, 3 do
          if ARGV[j] ~= ARGV[1] then
            local current = redis.call('HGET', KEYS[2], ARGV[j])
            local counted = true
            local held = nil
            if current then
              if version_of(current) >= tonumber(ARGV[j + 1]) then
                counted = false
              else
                held = tonumber(redis.call('ZSCORE', KEYS[1], member_of(current)))
              end
            end
            if counted then
              local moved = tonumber(ARGV[j + 2])
              for i = 1, n do
                if held and held < scores[i] then answers[i] = answers[i] - 1 end
                if moved < scores[i] then answers[i] = answers[i] + 1 end
              end
            end
          end
        end
        local behind = {}
        local limit = tonumber(ARGV[2])
        if limit > 0 then
          local rows = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. ARGV[3], '+inf', 'WITHSCORES', 'LIMIT', 0, limit)
          if #rows > 0 then
            behind = {redis.call('ZCOUNT', KEYS[1], '-inf', '(' .. rows[2]), redis.call('ZRANK', KEYS[1], rows[1])}
            for i = 1, #rows do behind[#behind + 1] = rows[i] end
          end
        end
        return {answers, behind}
        """;

    /// <summary>
    /// ARGV: user ('' for a page), limit, start (a page's 0-based first position). Answers {entries held, scores strictly
    /// better than the first, its 0-based position, member, score, …}: <c>limit</c> entries from <c>start</c>, or the
    /// user's entry with up to <c>limit</c> on each side ({entries held} alone when the user has none, or the page starts
    /// past the end). The count rides along (ZCARD, O(1)) so that an around-me page knows whether a page follows its
    /// window without a second round trip.
    /// </summary>
    public const string Around = HeldEntry + """
        if redis.call('EXISTS', KEYS[3]) == 0 then return -1 end
        local held = redis.call('ZCARD', KEYS[1])
        local limit = tonumber(ARGV[2])
        local start = tonumber(ARGV[3])
        local stop = start + limit - 1
        if ARGV[1] ~= '' then
          local current = redis.call('HGET', KEYS[2], ARGV[1])
          if not current then return {held} end
          local position = redis.call('ZRANK', KEYS[1], member_of(current))
          start, stop = math.max(0, position - limit), position + limit
        end
        local rows = redis.call('ZRANGE', KEYS[1], start, stop, 'WITHSCORES')
        if #rows == 0 then return {held} end
        local page = {held, redis.call('ZCOUNT', KEYS[1], '-inf', '(' .. rows[2]), start}
        for i = 1, #rows do page[#page + 1] = rows[i] end
        return page
        """;

    /// <summary>Answers the entries held.</summary>
    public const string Count = """
        if redis.call('EXISTS', KEYS[3]) == 0 then return -1 end
        return redis.call('ZCARD', KEYS[1])
        """;
}
