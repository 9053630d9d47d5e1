using System.Collections.Concurrent;
using Hubbub.Core.Seams;
using Hubbub.Protocol;
using StackExchange.Redis;
using ClientInfo = Hubbub.Protocol.ClientInfo;

namespace Hubbub.Redis;

/// <summary>
/// Presence shared by every node: per channel, one entry per connection with an expiry time. The node that
/// owns a connection keeps its entry alive (<see cref="RefreshAsync"/>, called by
/// <see cref="RedisPresenceHeartbeat"/>); a node that dies stops refreshing, and <see cref="SweepAsync"/> on any
/// node still serving the channel removes the entries and reports who left. A channel no live node has an entry in
/// (say <c>online:{user}</c> of a user whose only connection was on the dead node) is found through the presence
/// index, a sorted set of channel → latest expiry of its entries that adds and refreshes keep current: any node's
/// sweep takes the channels whose every entry has expired. Times come from <see cref="TimeProvider"/>, so node clocks
/// must agree to well within the presence TTL.
/// </summary>
public sealed class RedisPresenceStore : IPresenceStore
{
    private const int SweepBatch = 1_000;

    private readonly RedisConnection _redis;
    private readonly TimeProvider _time;
    // This node's own entries: channel → connection → entry. The heartbeat refreshes exactly these.
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, LocalEntry>> _local = new(StringComparer.Ordinal);

    /// <summary>Creates the store over the node's Redis connection.</summary>
    public RedisPresenceStore(RedisConnection redis, TimeProvider time)
    {
        _redis = redis;
        _time = time;
    }

    /// <inheritdoc />
    public async ValueTask<bool> AddAsync(string channel, PresenceEntry entry, CancellationToken cancellationToken = default)
    {
        var encoded = MessageCodec.EncodePresence(entry.User, entry.Name, entry.Since);
        _local.GetOrAdd(channel, static _ => new(StringComparer.Ordinal))[entry.ConnectionId] = new LocalEntry(entry.User, encoded);
        var keys = _redis.Routing.Presence(channel);
        var expiresAt = ExpiresAt();
        RedisValue[] args = [entry.ConnectionId, entry.User, encoded, expiresAt, KeyTtlMs];
        var first = await _redis.ExecuteAsync(m =>
        {
            var db = m.GetDatabase();
            var added = db.ScriptEvaluateAsync(LuaScripts.PresenceAdd, keys, args);
            // Sent after the add on the same connection, not waited for: the next heartbeat's refresh writes it again.
            db.SortedSetAdd(_redis.Routing.PresenceIndex, channel, expiresAt, SortedSetWhen.GreaterThan, CommandFlags.FireAndForget);
            return added;
        });
        return (int)first == 1;
    }

    /// <inheritdoc />
    public async ValueTask<bool> RemoveAsync(string channel, string connectionId, string user, CancellationToken cancellationToken = default)
    {
        if (_local.TryGetValue(channel, out var connections))
        {
            connections.TryRemove(connectionId, out _);
            if (connections.IsEmpty)
            {
                _local.TryRemove(KeyValuePair.Create(channel, connections));
            }
        }
        return await RemoveFromRedisAsync(channel, connectionId, user);
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<PresenceMember>> GetMembersAsync(string channel, CancellationToken cancellationToken = default)
    {
        var keys = _redis.Routing.Presence(channel);
        RedisValue[] args = [_time.GetUtcNow().ToUnixTimeMilliseconds()];
        var result = await _redis.ExecuteAsync(m => m.GetDatabase().ScriptEvaluateAsync(LuaScripts.PresenceMembers, keys, args))
            .WaitAsync(cancellationToken);
        var members = new Dictionary<string, PresenceMember>(StringComparer.Ordinal);
        foreach (var item in (RedisResult[])result!)
        {
            var (user, name, since) = MessageCodec.DecodePresence((byte[])item!);
            if (!members.TryGetValue(user, out var known) || since < known.Since)
            {
                members[user] = new PresenceMember(user, name, since);
            }
        }
        return members.Values.OrderBy(m => m.Since).ThenBy(m => m.User, StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// Pushes the expiry of this node's entries forward and restores any Redis lost. Called by the heartbeat at
    /// least three times per presence TTL.
    /// </summary>
    public async Task RefreshAsync(CancellationToken cancellationToken = default)
    {
        var db = await _redis.GetDatabaseAsync();
        var expiresAt = ExpiresAt();
        var indexed = new List<SortedSetEntry>();
        foreach (var (channel, connections) in _local)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var snapshot = connections.ToArray();
            if (snapshot.Length == 0)
            {
                continue;
            }
            indexed.Add(new SortedSetEntry(channel, expiresAt));
            var args = new RedisValue[2 + snapshot.Length * 2];
            args[0] = expiresAt;
            args[1] = KeyTtlMs;
            for (var i = 0; i < snapshot.Length; i++)
            {
                args[2 + i * 2] = snapshot[i].Key;
                args[3 + i * 2] = snapshot[i].Value.Encoded;
            }
            await db.ScriptEvaluateAsync(LuaScripts.PresenceRefresh, _redis.Routing.Presence(channel), args);
            // A connection removed while the refresh was on its way may have been put back: take it out again.
            foreach (var (connectionId, local) in snapshot)
            {
                if (!connections.ContainsKey(connectionId))
                {
                    await RemoveFromRedisAsync(channel, connectionId, local.User);
                }
            }
        }
        foreach (var chunk in indexed.Chunk(SweepBatch))
        {
            await db.SortedSetAddAsync(_redis.Routing.PresenceIndex, chunk, SortedSetWhen.GreaterThan);
        }
    }

    /// <summary>
    /// Removes expired entries (their node died) of every channel this node has presence in, and of every channel in
    /// the presence index whose entries have all expired, and returns the users who thereby left, per channel, with
    /// the time the dead node last vouched for them (its last refresh of their entry). Each leave is returned to
    /// exactly one sweeping node.
    /// </summary>
    public async Task<IReadOnlyList<(string Channel, ClientInfo User, DateTimeOffset LastSeen)>> SweepAsync(
        CancellationToken cancellationToken = default)
    {
        var db = await _redis.GetDatabaseAsync();
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var left = new List<(string, ClientInfo, DateTimeOffset)>();
        var orphaned = (await db.SortedSetRangeByScoreAsync(_redis.Routing.PresenceIndex, double.NegativeInfinity, now, take: SweepBatch))
            .Select(c => (string)c!).ToHashSet(StringComparer.Ordinal);
        var emptied = new List<RedisValue> { now };
        foreach (var channel in orphaned.Union(_local.Keys))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var result = (RedisResult[])(await db.ScriptEvaluateAsync(LuaScripts.PresenceSweep, _redis.Routing.Presence(channel), [now, SweepBatch]))!;
            for (var i = 1; i + 1 < result.Length; i += 2)
            {
                var (user, name, _) = MessageCodec.DecodePresence((byte[])result[i]!);
                var expiredAt = DateTimeOffset.FromUnixTimeMilliseconds((long)(double)result[i + 1]);
                left.Add((channel, new ClientInfo(user, name), expiredAt - _redis.Options.PresenceTtl));
            }
            if ((long)result[0] == 0 && orphaned.Contains(channel))
            {
                emptied.Add(channel);
            }
        }
        if (emptied.Count > 1)
        {
            await db.ScriptEvaluateAsync(LuaScripts.PresenceIndexPrune, [_redis.Routing.PresenceIndex], [.. emptied]);
        }
        return left;
    }

    private async Task<bool> RemoveFromRedisAsync(string channel, string connectionId, string user)
    {
        var keys = _redis.Routing.Presence(channel);
        RedisValue[] args = [connectionId, user];
        var last = await _redis.ExecuteAsync(m => m.GetDatabase().ScriptEvaluateAsync(LuaScripts.PresenceRemove, keys, args));
        return (int)last == 1;
    }

    private sealed record LocalEntry(string User, string Encoded);

    private long ExpiresAt() => (_time.GetUtcNow() + _redis.Options.PresenceTtl).ToUnixTimeMilliseconds();

    // The keys themselves outlive every entry a little, so a channel whose nodes all died vanishes from Redis.
    private long KeyTtlMs => (long)(_redis.Options.PresenceTtl * 3).TotalMilliseconds;
}
