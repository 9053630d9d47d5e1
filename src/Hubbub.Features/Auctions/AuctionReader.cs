using Hubbub.Storage;
using Microsoft.Extensions.Options;

namespace Hubbub.Features.Auctions;

/// <summary>
/// What the auction channels read for a subscriber: whether an auction exists, its join state, the lobby. Built on the
/// database alone (not on the kit's <c>FeatureDatabase</c>, which publishes through the engine that asks these rules), so
/// the channel rules do not depend on the engine they are part of.
/// </summary>
internal sealed class AuctionReader(IDatabase database, IOptions<AuctionsOptions> options, TimeProvider time)
{
    private long NowMs => time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Whether an auction exists (who may subscribe to its channel: any signed-in user, for an auction that exists).</summary>
    public Task<bool> ExistsAsync(string id, CancellationToken cancellationToken) =>
        id.Length > AuctionInput.MaxIdLength
            ? Task.FromResult(false)
            : database.ReadAsync(async tx => await AuctionsStore.FindAsync(tx, id, cancellationToken) is not null, cancellationToken);

    /// <summary>The state a new subscriber of <c>auction:{id}</c> gets: the auction and its latest bids.</summary>
    public async Task<AuctionJoinState?> JoinStateAsync(string id, CancellationToken cancellationToken)
    {
        var now = NowMs;
        return await database.ReadAsync(async tx =>
        {
            if (await AuctionsStore.FindAsync(tx, id, cancellationToken) is not { } row)
            {
                return null;
            }
            var bids = await AuctionsStore.BidsAsync(tx, id, null, options.Value.JoinStateBids, cancellationToken);
            var view = AuctionsService.View(row, now, showReserve: false);
            return new AuctionJoinState(view.Id, view.State, view.Price, view.Leader, view.BidCount, view.MinNextBid, view.EndsAt, view,
                bids.Select(AuctionsService.BidOf).ToList());
        }, cancellationToken);
    }

    /// <summary>The lobby's state: live and scheduled auctions, ending soonest first.</summary>
    public async Task<LobbyState> LobbyStateAsync(CancellationToken cancellationToken)
    {
        var now = NowMs;
        var rows = await database.ReadAsync(tx => AuctionsStore.OpenAsync(tx, now, options.Value.LobbySize, cancellationToken), cancellationToken);
        return new LobbyState(rows.Select(r => AuctionsService.View(r, now, showReserve: false)).ToList());
    }
}
