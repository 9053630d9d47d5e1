using Hubbub.Features.Kit.Declaring;
using static Hubbub.Features.Auctions.AuctionsJsonContext;

namespace Hubbub.Features.Auctions;

/// <summary>
/// Auctions: options (section <c>Auctions</c>), schema, the <c>auction</c> and <c>auctions</c> (lobby) namespaces, the
/// <c>auction.*</c> commands (the same records and service calls as the REST API under <c>/api/auctions</c>), and the
/// start and end jobs. Money goes through the wallet feature's <see cref="Wallet.IWallet"/>.
/// </summary>
public sealed class AuctionsFeature : HubbubFeature
{
    /// <inheritdoc />
    public override string Name => "auctions";

    /// <inheritdoc />
    public override void Declare(FeatureBuilder feature)
    {
        feature
            .Options<AuctionsOptions>(AuctionsOptions.Section)
            .Migrations(AuctionsSchema.Declare)
            .Namespace(sp => AuctionChannelRules.Auction(sp.GetRequiredService<AuctionReader>()))
            .Namespace(sp => AuctionChannelRules.Lobby(sp.GetRequiredService<AuctionReader>()))
            .Command<AuctionsService, CreateAuctionRequest, AuctionView>("auction.create", Default.CreateAuctionRequest, Default.AuctionView,
                (s, me, r, ct) => s.CreateAsync(me, r, ct))
            .Command<AuctionsService, AuctionRequest, AuctionView>("auction.get", Default.AuctionRequest, Default.AuctionView, (s, me, r, ct) => s.GetAsync(me, r, ct))
            .Command<AuctionsService, BidRequest, BidReply>("auction.bid", Default.BidRequest, Default.BidReply, (s, me, r, ct) => s.BidAsync(me, r, ct))
            .Command<AuctionsService, AuctionRequest, AuctionView>("auction.cancel", Default.AuctionRequest, Default.AuctionView,
                (s, me, r, ct) => s.CancelAsync(me, r, ct))
            .OnJob<AuctionsService>(AuctionsService.StartJob, (s, tx, job, ct) => s.StartAsync(tx, job, ct))
            .OnJob<AuctionsService>(AuctionsService.EndJob, (s, tx, job, ct) => s.EndAsync(tx, job, ct))
            .Api<AuctionsOptions>("/api/auctions", o => o.MaxBodyBytes, AuctionsEndpoints.Map)
            .ConsolePage("auctions", "Auctions", "auctions.js");
        feature.Services.AddSingleton<SettlementFault>();
        feature.Services.AddSingleton<AuctionsService>();
        feature.Services.AddSingleton<AuctionReader>();
    }
}
