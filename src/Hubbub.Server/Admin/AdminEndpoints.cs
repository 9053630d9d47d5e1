using System.Text.Json;
using Hubbub.Core;
using Hubbub.Core.Channels;
using Hubbub.Core.Seams;
using Hubbub.Features.Kit.Callers;
using Hubbub.Features.Kit.Http;
using Hubbub.Protocol;
using Microsoft.Extensions.Options;

namespace Hubbub.Server.Admin;

/// <summary>
/// The operators' API under <c>/api/admin</c> (docs/admin-api.md), for the server key (<c>X-Api-Key</c>) or a token
/// with role <c>admin</c>: nodes and their connections, channels and their subscribers, a channel's history and
/// presence, and disconnecting a user. Publishing as the server is <c>POST /api/publish</c>.
/// </summary>
public static class AdminEndpoints
{
    /// <summary>Channels listed at most per call.</summary>
    public const int MaxChannelsListed = 1000;

    /// <summary>History entries a channel inspection returns at most.</summary>
    public const int MaxHistory = 100;

    /// <summary>Longest user id (as the kit's rule).</summary>
    private const int MaxUserLength = 128;

    /// <summary>Maps the endpoints.</summary>
    public static RouteGroupBuilder MapAdminApi(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/admin").WithTags("Admin").AddEndpointFilter(RequireAdminAsync);
        admin.MapGet("/nodes", NodesAsync).WithName("AdminNodes")
            .WithSummary("Every live node with its connections, subscriptions and publish rate")
            .Produces<NodeList>().Produces<ApiError>(401).Produces<ApiError>(403);
        admin.MapGet("/channels", ChannelsAsync).WithName("AdminChannels")
            .WithSummary("Channels with subscribers, most subscribed first; ?prefix=, ?limit=1..1000 (default 100)")
            .Produces<ChannelList>().Produces<ApiError>(400).Produces<ApiError>(401).Produces<ApiError>(403);
        admin.MapGet("/channels/{name}", ChannelAsync).WithName("AdminChannel")
            .WithSummary("A channel's subscribers, position, latest history (?limit=1..100, default 20) and presence")
            .Produces<ChannelDetail>().Produces<ApiError>(400).Produces<ApiError>(401).Produces<ApiError>(403).Produces<ApiError>(404);
        admin.MapPost("/users/{id}/disconnect", DisconnectAsync).WithName("AdminDisconnect")
            .WithSummary("Close every connection of a user on every node (close code 4403)")
            .Produces<DisconnectReply>().Produces<ApiError>(400).Produces<ApiError>(401).Produces<ApiError>(403);
        return admin;
    }

    private static async ValueTask<object?> RequireAdminAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var identity = http.RequestServices.GetRequiredService<IRequestIdentity>();
        // A token is judged alone (as everywhere): a member's token with a stolen key beside it is still a member.
        if (identity.UserOf(http) is { } user)
        {
            return user.IsAdmin ? await next(context) : Error(ErrorCodes.Forbidden, "the admin API needs a token with role admin, or X-Api-Key");
        }
        return identity.HasServerKey(http)
            ? await next(context)
            : Error(ErrorCodes.Unauthorized, "the admin API needs X-Api-Key or a bearer token with role admin");
    }

    private static async Task<IResult> NodesAsync(NodeStats stats, IAdminCluster cluster, CancellationToken ct)
    {
        try
        {
            var nodes = (await cluster.OtherNodesAsync(ct)).Select(n => n.Report).Append(stats.Report())
                .OrderBy(n => n.Node, StringComparer.Ordinal).ToList();
            return Json(new NodeList(stats.NodeId, cluster.IsCluster, nodes.Sum(n => n.Connections),
                Math.Round(nodes.Sum(n => n.PublishRate), 2), nodes), AdminJsonContext.Default.NodeList);
        }
        catch (HubbubException ex)
        {
            return ApiResults.From(ex);
        }
    }

    private static async Task<IResult> ChannelsAsync(HttpRequest request, NodeStats stats, IAdminCluster cluster,
        IOptions<HubbubOptions> options, CancellationToken ct)
    {
        try
        {
            var prefix = request.Query["prefix"].ToString();
            if (prefix.Length > options.Value.MaxChannelLength || (prefix.Length > 0 && !ChannelName.IsValidName(prefix)))
            {
                throw HubbubException.BadRequest($"'prefix' must be at most {options.Value.MaxChannelLength} channel-name characters (letters, digits, _ - . : @ = , |)");
            }
            var limit = Limit(request, 100, MaxChannelsListed);
            var counts = new Dictionary<string, (int Subscribers, int Nodes)>(StringComparer.Ordinal);
            var perNode = (await cluster.OtherNodesAsync(ct)).Select(n => n.Channels.Select(c => (c.Key, c.Value)))
                .Append(stats.Channels());
            foreach (var node in perNode)
            {
                foreach (var (channel, subscribers) in node)
                {
                    if (subscribers > 0 && channel.StartsWith(prefix, StringComparison.Ordinal))
                    {
                        var (total, nodes) = counts.GetValueOrDefault(channel);
                        counts[channel] = (total + subscribers, nodes + 1);
                    }
                }
            }
            var listed = counts
                .OrderByDescending(c => c.Value.Subscribers).ThenBy(c => c.Key, StringComparer.Ordinal)
                .Take(limit)
                .Select(c => new ChannelSummary(c.Key, c.Value.Subscribers, c.Value.Nodes))
                .ToList();
            return Json(new ChannelList(listed, counts.Count), AdminJsonContext.Default.ChannelList);
        }
        catch (HubbubException ex)
        {
            return ApiResults.From(ex);
        }
    }

    private static async Task<IResult> ChannelAsync(string name, HttpRequest request, HubbubEngine engine, NodeStats stats,
        IAdminCluster cluster, IHistoryStore history, IPresenceStore presence, IOptions<HubbubOptions> options, CancellationToken ct)
    {
        try
        {
            if (!ChannelName.TryParse(name, options.Value.MaxChannelLength, out var channel, out var error))
            {
                throw HubbubException.BadRequest(error);
            }
            if (engine.Rules.Find(channel.Namespace) is null)
            {
                throw HubbubException.NotFound($"channel namespace '{channel.Namespace}' does not exist");
            }
            var limit = Limit(request, 20, MaxHistory);
            var subscribers = engine.Subscribers.CountOf(channel.Value)
                + (await cluster.OtherNodesAsync(ct)).Sum(n => n.Channels.GetValueOrDefault(channel.Value));
            var read = await history.ReadAsync(channel.Value, null, null, limit, ct);
            var members = await presence.GetMembersAsync(channel.Value, ct);
            var publications = read.Publications.Select(p => new AdminPublication(p.Offset, p.Event, DataOf(p), p.From)).ToList();
            return Json(new ChannelDetail(channel.Value, subscribers, read.Top.Offset, read.Top.Epoch, publications, members),
                AdminJsonContext.Default.ChannelDetail);
        }
        catch (HubbubException ex)
        {
            return ApiResults.From(ex);
        }
    }

    private static async Task<IResult> DisconnectAsync(string id, NodeStats stats, IAdminCluster cluster, CancellationToken ct)
    {
        try
        {
            if (id.Length > MaxUserLength || !ChannelName.IsValidName(id))
            {
                throw HubbubException.BadRequest($"the user id must be 1-{MaxUserLength} letters, digits and _ - . : @ = , |");
            }
            var closed = stats.Disconnect(id);
            var elsewhere = await cluster.DisconnectElsewhereAsync(id, ct);
            // With Redis the answering node hears its own message too: it is counted once.
            var nodes = cluster.IsCluster ? Math.Max(1, elsewhere) : 1;
            return Json(new DisconnectReply(id, closed, nodes), AdminJsonContext.Default.DisconnectReply);
        }
        catch (HubbubException ex)
        {
            return ApiResults.From(ex);
        }
    }

    /// <summary>Reads <c>?limit=</c>: absent is <paramref name="fallback"/>; anything but 1..<paramref name="max"/> is refused.</summary>
    private static int Limit(HttpRequest request, int fallback, int max)
    {
        var text = request.Query["limit"].ToString();
        if (text.Length == 0)
        {
            return fallback;
        }
        return int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var limit)
            && limit is >= 1 && limit <= max
            ? limit
            : throw HubbubException.BadRequest($"'limit' must be a whole number from 1 to {max}");
    }

    private static JsonElement DataOf(Publication publication)
    {
        using var document = JsonDocument.Parse(publication.Data);
        return document.RootElement.Clone();
    }

    private static IResult Json<T>(T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> info) => TypedResults.Json(value, info);

    private static IResult Error(string code, string message) =>
        TypedResults.Json(new ApiError(code, message), KitHttpJsonContext.ErrorBody, statusCode: ApiResults.StatusOf(code));
}
