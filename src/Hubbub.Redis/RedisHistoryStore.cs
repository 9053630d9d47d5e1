using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Hubbub.Core.Seams;
using StackExchange.Redis;

namespace Hubbub.Redis;

/// <summary>
/// Reads channel streams kept in Redis by <see cref="RedisBroker"/>: one stream per channel (entry id =
/// offset) and a metadata hash with the offset counter and the epoch. Reading a channel that has no metadata
/// creates it with a fresh epoch, so the epoch a subscriber is told is the one the next publication carries.
/// </summary>
public sealed class RedisHistoryStore : IHistoryStore
{
    private readonly RedisConnection _redis;
    private readonly TimeProvider _time;

    /// <summary>Creates the store over the node's Redis connection.</summary>
    public RedisHistoryStore(RedisConnection redis, TimeProvider time)
    {
        _redis = redis;
        _time = time;
    }

    /// <inheritdoc />
    public async ValueTask<StreamTop> GetTopAsync(string channel, CancellationToken cancellationToken = default) =>
        (await ReadAsync(channel, null, null, 0, cancellationToken)).Top;

    /// <inheritdoc />
    public ValueTask<HistoryResult> ReadAsync(string channel, long? sinceOffset, string? sinceEpoch, int limit,
        CancellationToken cancellationToken = default) =>
        ReadAsync(channel, sinceOffset, sinceEpoch, limit, failFast: true, cancellationToken);

    /// <summary>
    /// <see cref="ReadAsync(string, long?, string?, int, CancellationToken)"/>; with <paramref name="failFast"/> false
    /// (the broker's catch-up, in the background) it is tried while Redis is still being confirmed back.
    /// </summary>
    internal async ValueTask<HistoryResult> ReadAsync(string channel, long? sinceOffset, string? sinceEpoch, int limit,
        bool failFast, CancellationToken cancellationToken = default)
    {
        RedisValue[] args =
        [
            NewEpoch(),
            _time.GetUtcNow().ToUnixTimeMilliseconds(),
            MetaTtlMs(_redis.Options, TimeSpan.Zero),
            sinceOffset ?? -1,
            sinceEpoch ?? string.Empty,
            Math.Max(0, limit),
        ];
        var key = _redis.Routing.History(channel);
        var result = await _redis.ExecuteAsync(m => m.GetDatabase().ScriptEvaluateAsync(LuaScripts.Read, key, args), failFast)
            .WaitAsync(cancellationToken);

        var parts = (RedisResult[])result!;
        var epoch = (string)parts[0]!;
        var top = new StreamTop((long)parts[1], epoch);
        var complete = (int)parts[2] == 1;
        var entries = (RedisResult[])parts[3]!;
        var publications = new Publication[entries.Length];
        var timestamp = Stopwatch.GetTimestamp();
        for (var i = 0; i < entries.Length; i++)
        {
            publications[i] = ToPublication(channel, epoch, (RedisResult[])entries[i]!, timestamp);
        }
        if (sinceOffset is null)
        {
            // Without `since` the script reads newest first; history is served oldest first.
            Array.Reverse(publications);
        }
        return new HistoryResult(publications, top, complete);
    }

    /// <summary>A fresh epoch: 8 random hex characters, the shape the in-memory store uses.</summary>
    internal static string NewEpoch() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));

    /// <summary>How long a stream's metadata outlives its last use, in ms: never shorter than its history.</summary>
    internal static long MetaTtlMs(RedisOptions options, TimeSpan historyTtl) =>
        (long)Math.Max(TimeSpan.FromSeconds(options.StreamMetaTtlSeconds).TotalMilliseconds, historyTtl.TotalMilliseconds);

    private static Publication ToPublication(string channel, string epoch, RedisResult[] entry, long timestamp)
    {
        // Entry: [id "<offset>-0", ["x", expires, "p", payload]].
        var id = (string)entry[0]!;
        var offset = long.Parse(id.AsSpan(0, id.IndexOf('-', StringComparison.Ordinal)), NumberStyles.None, CultureInfo.InvariantCulture);
        var fields = (RedisResult[])entry[1]!;
        var payload = (byte[])fields[3]!;
        return new Publication(channel, offset, epoch, MessageCodec.DecodeDraft(payload), timestamp);
    }
}
