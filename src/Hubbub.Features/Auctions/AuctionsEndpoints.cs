using Hubbub.Features.Kit.Declaring;
using Hubbub.Features.Kit.Http;
using static Hubbub.Features.Auctions.AuctionsJsonContext;

namespace Hubbub.Features.Auctions;

/// <summary>The auctions REST API under <c>/api/auctions</c>; the path's ids go into the same records the commands read.</summary>
internal static class AuctionsEndpoints
{
    public static void Map(RouteGroupBuilder auctions)
    {
        auctions.MapPost("/", CreateAsync).WithName("CreateAuction")
            .WithSummary("Create an auction sold by the caller (a server names 'seller')").Accepts<CreateAuctionRequest>("application/json")
            .Produces<AuctionView>(StatusCodes.Status201Created).Errors(400, 401, 403, 413);
        auctions.MapGet("/", ListAsync).WithName("ListAuctions")
            .WithSummary("Auctions, newest first; ?state=scheduled|live|ended|cancelled, ?seller=, ?before=cursor, ?limit=1..100")
            .Produces<AuctionList>().Errors(400, 401);
        auctions.MapGet("/{id}", GetAsync).WithName("GetAuction")
            .WithSummary("One auction").Produces<AuctionView>().Errors(400, 401, 404);
        auctions.MapGet("/{id}/bids", BidsAsync).WithName("ListBids")
            .WithSummary("An auction's bids, highest first; ?before=cursor, ?limit=1..100").Produces<BidList>().Errors(400, 401, 404);
        auctions.MapPost("/{id}/bids", BidAsync).WithName("PlaceBid")
            .WithSummary("Bid; 409 with reason auction_not_live, bid_too_low, own_auction or insufficient_funds; a repeated client_id is one bid")
            .Accepts<BidRequest>("application/json").Produces<BidReply>(StatusCodes.Status201Created).Errors(400, 401, 403, 404, 409, 413);
        auctions.MapPost("/{id}/cancel", CancelAsync).WithName("CancelAuction")
            .WithSummary("Cancel (the seller or an admin) before the first bid; 409 has_bids or auction_not_live")
            .Produces<AuctionView>().Errors(400, 401, 403, 404, 409);
    }

    private static async Task<IResult> CreateAsync(FeatureCall call, AuctionsService service)
    {
        var (body, me) = await call.BodyAndCallerAsync(Default.CreateAuctionRequest);
        return FeatureCall.Json(await service.CreateAsync(me, body, call.Aborted), Default.AuctionView, StatusCodes.Status201Created);
    }

    private static async Task<IResult> ListAsync(FeatureCall call, AuctionsService service)
    {
        var me = await call.ViewerAsync();
        return FeatureCall.Json(await service.ListAsync(me, call.TextQuery("state"), call.TextQuery("seller"), call.PageCursor(),
            call.IntQuery("limit"), call.Aborted),
            Default.AuctionList);
    }

    private static async Task<IResult> GetAsync(string id, FeatureCall call, AuctionsService service) =>
        FeatureCall.Json(await service.GetAsync(await call.ViewerAsync(), new AuctionRequest(id), call.Aborted), Default.AuctionView);

    private static async Task<IResult> BidsAsync(string id, FeatureCall call, AuctionsService service)
    {
        await call.ViewerAsync();
        var before = call.PageCursor();
        return FeatureCall.Json(await service.BidsAsync(new AuctionRequest(id), before, call.IntQuery("limit"), call.Aborted), Default.BidList);
    }

    private static async Task<IResult> BidAsync(string id, FeatureCall call, AuctionsService service)
    {
        var (body, me) = await call.BodyAndCallerAsync(Default.BidRequest);
        return FeatureCall.Json(await service.BidAsync(me, body with { Auction = id }, call.Aborted), Default.BidReply, StatusCodes.Status201Created);
    }

    private static async Task<IResult> CancelAsync(string id, FeatureCall call, AuctionsService service)
    {
        // A server names the seller with "user" in an optional body (FEATURES.md) or ?user=; before, only ?user= counted.
        var me = await call.CallerAsync((await call.OptionalBodyAsync(Default.AuctionRequest)).User);
        return FeatureCall.Json(await service.CancelAsync(me, new AuctionRequest(id), call.Aborted), Default.AuctionView);
    }
}
