using System.Text.Json;
using Hubbub.Core;
using Hubbub.Core.Channels;

namespace Hubbub.Features.Auctions;

/// <summary>
/// The auction house's channels. <c>auction:{id}</c>: any signed-in user subscribes to an auction that exists (an unknown
/// one is <c>not_found</c>, as <c>GET /api/auctions/{id}</c> answers: FEATURES.md "unknown ids are not_found") and gets
/// its state at once (price, leader, end, latest bids), so a page that opens or reconnects is right before the next
/// event. <c>auctions:lobby</c>: any signed-in user subscribes and gets the live and scheduled auctions. Only the
/// server publishes on either (client publishes are <c>forbidden</c>); no presence.
/// </summary>
internal static class AuctionChannelRules
{
    public static ChannelNamespace Auction(AuctionReader auctions) =>
        new(AuctionsService.Namespace,
            // Thrown, the not_found is the subscribe's (and history's) error; a bare false would read as forbidden.
            canSubscribe: async (access, ct) => await auctions.ExistsAsync(access.Channel.Name, ct) ? true : throw AuctionsService.NotFound(),
            canPublish: ChannelNamespace.Nobody, presence: false, findsUnknownIds: true,
            joinState: async (access, ct) => await auctions.JoinStateAsync(access.Channel.Name, ct) is { } state
                ? JsonSerializer.SerializeToUtf8Bytes(state, AuctionsJsonContext.Default.AuctionJoinState)
                : null);

    public static ChannelNamespace Lobby(AuctionReader auctions) =>
        new(AuctionsService.LobbyNamespace,
            // Any other name is no channel: not_found (for an admin too, who passes a bare false).
            canSubscribe: static (access, _) => access.Channel.Name == "lobby"
                ? ValueTask.FromResult(true)
                : throw HubbubException.NotFound($"no channel '{access.Channel}': the auction house's lobby is auctions:lobby"),
            canPublish: ChannelNamespace.Nobody, presence: false, findsUnknownIds: true,
            joinState: async (_, ct) => JsonSerializer.SerializeToUtf8Bytes(await auctions.LobbyStateAsync(ct), AuctionsJsonContext.Default.LobbyState));
}
