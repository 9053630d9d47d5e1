using System.Text.Json;
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
            canSubscribe: ChannelNamespace.Anyone, canPublish: ChannelNamespace.Nobody, presence: false, typingAndCursors: false,
            exists: async (channel, ct) => await auctions.ExistsAsync(channel.Name, ct),
            joinState: async (access, ct) => await auctions.JoinStateAsync(access.Channel.Name, ct) is { } state
                ? JsonSerializer.SerializeToUtf8Bytes(state, AuctionsJsonContext.Default.AuctionJoinState)
                : null);

    public static ChannelNamespace Lobby(AuctionReader auctions) =>
        new(AuctionsService.LobbyNamespace,
            canSubscribe: ChannelNamespace.Anyone, canPublish: ChannelNamespace.Nobody, presence: false, typingAndCursors: false,
            // Any other name is no channel: not_found.
            exists: static (channel, _) => ValueTask.FromResult(channel.Name == "lobby"),
            joinState: async (_, ct) => JsonSerializer.SerializeToUtf8Bytes(await auctions.LobbyStateAsync(ct), AuctionsJsonContext.Default.LobbyState));
}
