using StackExchange.Redis;

namespace Hubbub.Redis;

/// <summary>
/// The one place that maps a Hubbub channel to its Redis keys and pub/sub channel. Every key of a channel
/// carries the channel as a hash tag (<c>{…}</c>), so a channel lives in one Redis Cluster slot and its
/// scripts stay atomic; moving to sharded pub/sub (SPUBLISH) later changes only this class and the publish
/// command.
/// </summary>
public sealed class ChannelRouting
{
    private readonly string _prefix;

    /// <summary>Creates the routing under a key prefix.</summary>
    public ChannelRouting(string prefix) => _prefix = prefix;

    /// <summary>The pub/sub channel on which every node receives the channel's publications and events.</summary>
    public string PubSubName(string channel) => $"{_prefix}{{{channel}}}:pub";

    /// <summary>The pub/sub channel as StackExchange.Redis wants it (literal, never a pattern).</summary>
    public RedisChannel PubSub(string channel) => RedisChannel.Literal(PubSubName(channel));

    /// <summary>The history keys: metadata hash (epoch, offset) and stream.</summary>
    public RedisKey[] History(string channel) => [$"{_prefix}{{{channel}}}:meta", $"{_prefix}{{{channel}}}:stream"];

    /// <summary>
    /// The keys of a publication in commit order: the history keys and the hash of publications held until the ones
    /// committed before them arrive.
    /// </summary>
    public RedisKey[] Ordered(string channel) =>
        [$"{_prefix}{{{channel}}}:meta", $"{_prefix}{{{channel}}}:stream", $"{_prefix}{{{channel}}}:held"];

    /// <summary>
    /// The presence index: a sorted set of channel → the latest expiry of its presence entries, so a sweep finds the
    /// channels where no live node refreshes anything. One key for the deployment (a single slot in a cluster).
    /// </summary>
    public RedisKey PresenceIndex => $"{_prefix}presence-index";

    /// <summary>The presence keys: entries hash, expiry sorted set, per-user connection counts.</summary>
    public RedisKey[] Presence(string channel) =>
        [$"{_prefix}{{{channel}}}:pres", $"{_prefix}{{{channel}}}:pres-exp", $"{_prefix}{{{channel}}}:pres-users"];
}
