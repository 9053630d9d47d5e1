using System.Text.Json;
using System.Text.Json.Serialization;
using Hubbub.Features.Kit.Http;
using Hubbub.Protocol;

namespace Hubbub.Server.Admin;

/// <summary>One open connection of a node, as an operator sees it.</summary>
/// <param name="Id">The connection id (as in its <c>welcome</c>).</param>
/// <param name="User">The user's id.</param>
/// <param name="Name">The user's display name.</param>
/// <param name="ConnectedAt">When it was accepted.</param>
/// <param name="Subscriptions">How many channels it is subscribed to.</param>
public sealed record AdminClient(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("user")] string User,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("connected_at"), JsonConverter(typeof(UtcTimestampConverter))] DateTimeOffset ConnectedAt,
    [property: JsonPropertyName("subscriptions")] int Subscriptions);

/// <summary>What one node reports about itself: <c>GET /api/admin/nodes</c>, and what it writes to Redis.</summary>
/// <param name="Node">The node id (<c>Hubbub:NodeId</c>, or host and process id).</param>
/// <param name="StartedAt">When the node started.</param>
/// <param name="ReportedAt">When these numbers were taken.</param>
/// <param name="Connections">Open connections.</param>
/// <param name="Users">Distinct users among them.</param>
/// <param name="Subscriptions">Subscriptions of those connections.</param>
/// <param name="Channels">Channels with a subscriber on this node.</param>
/// <param name="PublicationsTotal">Publications this node appended since it started.</param>
/// <param name="PublishRate">Publications per second this node appended, over the last few seconds.</param>
/// <param name="Clients">The newest connections, at most <see cref="NodeStats.MaxClientsListed"/>.</param>
/// <param name="ClientsTruncated">True when the node has more connections than <paramref name="Clients"/> lists.</param>
public sealed record NodeReport(
    [property: JsonPropertyName("node")] string Node,
    [property: JsonPropertyName("started_at"), JsonConverter(typeof(UtcTimestampConverter))] DateTimeOffset StartedAt,
    [property: JsonPropertyName("reported_at"), JsonConverter(typeof(UtcTimestampConverter))] DateTimeOffset ReportedAt,
    [property: JsonPropertyName("connections")] int Connections,
    [property: JsonPropertyName("users")] int Users,
    [property: JsonPropertyName("subscriptions")] int Subscriptions,
    [property: JsonPropertyName("channels")] int Channels,
    [property: JsonPropertyName("publications_total")] long PublicationsTotal,
    [property: JsonPropertyName("publish_rate")] double PublishRate,
    [property: JsonPropertyName("clients")] IReadOnlyList<AdminClient> Clients,
    [property: JsonPropertyName("clients_truncated")] bool ClientsTruncated);

/// <summary><c>GET /api/admin/nodes</c>: every live node, and the cluster's totals.</summary>
/// <param name="Node">The node that answered.</param>
/// <param name="Cluster">True when the nodes share Redis (the list then holds every node that reported lately).</param>
/// <param name="Connections">Open connections on all nodes.</param>
/// <param name="PublishRate">Publications per second on all nodes.</param>
/// <param name="Nodes">The nodes, by id.</param>
public sealed record NodeList(
    [property: JsonPropertyName("node")] string Node,
    [property: JsonPropertyName("cluster")] bool Cluster,
    [property: JsonPropertyName("connections")] int Connections,
    [property: JsonPropertyName("publish_rate")] double PublishRate,
    [property: JsonPropertyName("nodes")] IReadOnlyList<NodeReport> Nodes);

/// <summary>A channel with subscribers.</summary>
/// <param name="Channel">Its name.</param>
/// <param name="Subscribers">Subscriptions to it on all nodes.</param>
/// <param name="Nodes">How many nodes hold at least one.</param>
public sealed record ChannelSummary(
    [property: JsonPropertyName("channel")] string Channel,
    [property: JsonPropertyName("subscribers")] int Subscribers,
    [property: JsonPropertyName("nodes")] int Nodes);

/// <summary><c>GET /api/admin/channels</c>: channels with subscribers, most subscribed first.</summary>
/// <param name="Channels">At most <c>limit</c> of them.</param>
/// <param name="Total">How many channels matched the prefix.</param>
public sealed record ChannelList(
    [property: JsonPropertyName("channels")] IReadOnlyList<ChannelSummary> Channels,
    [property: JsonPropertyName("total")] int Total);

/// <summary>One publication of a channel's history.</summary>
public sealed record AdminPublication(
    [property: JsonPropertyName("offset")] long Offset,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("data")] JsonElement Data,
    [property: JsonPropertyName("from"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ClientInfo? From);

/// <summary><c>GET /api/admin/channels/{name}</c>: a channel's subscribers, stream position, latest history and presence.</summary>
public sealed record ChannelDetail(
    [property: JsonPropertyName("channel")] string Channel,
    [property: JsonPropertyName("subscribers")] int Subscribers,
    [property: JsonPropertyName("offset")] long Offset,
    [property: JsonPropertyName("epoch")] string Epoch,
    [property: JsonPropertyName("history")] IReadOnlyList<AdminPublication> History,
    [property: JsonPropertyName("presence")] IReadOnlyList<PresenceMember> Presence);

/// <summary><c>POST /api/admin/users/{id}/disconnect</c>.</summary>
/// <param name="User">The user.</param>
/// <param name="Closed">Connections the answering node closed.</param>
/// <param name="Nodes">Nodes told to close theirs (the answering one included).</param>
public sealed record DisconnectReply(
    [property: JsonPropertyName("user")] string User,
    [property: JsonPropertyName("closed")] int Closed,
    [property: JsonPropertyName("nodes")] long Nodes);

/// <summary>Source-generated JSON for the admin API and the node reports in Redis.</summary>
[JsonSerializable(typeof(NodeReport))]
[JsonSerializable(typeof(NodeList))]
[JsonSerializable(typeof(ChannelList))]
[JsonSerializable(typeof(ChannelDetail))]
[JsonSerializable(typeof(DisconnectReply))]
[JsonSerializable(typeof(ApiError))]
public sealed partial class AdminJsonContext : JsonSerializerContext;
