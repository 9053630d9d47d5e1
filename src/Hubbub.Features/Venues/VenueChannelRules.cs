using System.Text.Json;
using Hubbub.Core.Channels;

namespace Hubbub.Features.Venues;

/// <summary>
/// The <c>venue:{id}</c> namespace: any signed-in user subscribes to a venue that exists (an unknown venue is
/// <c>not_found</c>, as <c>GET /api/venues/{id}</c> answers: FEATURES.md "unknown ids are not_found"); only the server publishes
/// (a client publish is <c>forbidden</c>). No presence: a dashboard's viewers are not announced to each other. A
/// subscribe answers with the venue's state (its stats and last 10 activities), so a dashboard is right the moment
/// it opens.
/// </summary>
internal static class VenueChannelRules
{
    public static ChannelNamespace Create(VenueQueries queries) =>
        new(VenuesService.Namespace,
            canSubscribe: ChannelNamespace.Anyone, canPublish: ChannelNamespace.Nobody, presence: false, typingAndCursors: false,
            exists: async (channel, ct) => await queries.ExistsAsync(channel.Name, ct),
            joinState: async (access, ct) => await queries.JoinStateAsync(access.Channel.Name, ct) is { } state
                ? JsonSerializer.SerializeToUtf8Bytes(state, VenuesJsonContext.Default.VenueJoinState)
                : null);
}
