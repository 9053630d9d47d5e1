using Hubbub.Features.Kit.Declaring;
using Hubbub.Features.Kit.Http;
using static Hubbub.Features.Wallet.WalletJsonContext;

namespace Hubbub.Features.Wallet;

/// <summary>The wallet REST API under <c>/api/wallet</c>. A server names the user with <c>?user=</c> (reads) or <c>user</c> (writes).</summary>
internal static class WalletEndpoints
{
    public static void Map(RouteGroupBuilder wallet)
    {
        wallet.MapGet("/", GetAsync).WithName("GetWallet")
            .WithSummary("My balances, held and available amounts per currency (a server names ?user=)").Produces<WalletView>().Errors(400, 401, 403);
        wallet.MapPost("/grants", GrantAsync).WithName("GrantCoins")
            .WithSummary("Give coins to a user (server or admin only); idempotent by 'id'").Accepts<GrantRequest>("application/json")
            .Produces<GrantResult>(StatusCodes.Status201Created).Errors(400, 401, 403, 409, 413);
        wallet.MapPost("/transfers", TransferAsync).WithName("TransferCoins")
            .WithSummary("Send coins to another user; idempotent by 'id'; 409 insufficient_funds").Accepts<TransferRequest>("application/json")
            .Produces<TransferResult>(StatusCodes.Status201Created).Errors(400, 401, 403, 409, 413);
        wallet.MapGet("/ledger", LedgerAsync).WithName("WalletLedger")
            .WithSummary("My ledger entries, newest first; ?before=cursor, ?limit=1..100, ?currency=").Produces<LedgerPage>().Errors(400, 401, 403);
        wallet.MapGet("/check", CheckAsync).WithName("WalletCheck")
            .WithSummary("Recompute every balance from the ledger and report differences (server or admin only)").Produces<WalletCheck>().Errors(401, 403);
    }

    private static async Task<IResult> GetAsync(FeatureCall call, WalletService service) =>
        FeatureCall.Json(await service.GetAsync(await call.CallerAsync(), call.Aborted), Default.WalletView);

    private static async Task<IResult> GrantAsync(FeatureCall call, WalletService service)
    {
        call.RequireServerOrAdmin();
        var body = await call.BodyAsync(Default.GrantRequest);
        return FeatureCall.Json(await service.GrantAsync(body, call.Aborted), Default.GrantResult, StatusCodes.Status201Created);
    }

    private static async Task<IResult> TransferAsync(FeatureCall call, WalletService service)
    {
        var (body, me) = await call.BodyAndCallerAsync(Default.TransferRequest);
        return FeatureCall.Json(await service.TransferAsync(me, body, call.Aborted), Default.TransferResult, StatusCodes.Status201Created);
    }

    private static async Task<IResult> LedgerAsync(FeatureCall call, WalletService service)
    {
        var me = await call.CallerAsync();
        return FeatureCall.Json(await service.LedgerAsync(me, call.PageCursor(), call.IntQuery("limit"), call.TextQuery("currency"), call.Aborted),
            Default.LedgerPage);
    }

    private static async Task<IResult> CheckAsync(FeatureCall call, WalletService service)
    {
        call.RequireServerOrAdmin();
        return FeatureCall.Json(await service.CheckAsync(call.Aborted), Default.WalletCheck);
    }
}
