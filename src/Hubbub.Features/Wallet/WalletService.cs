using System.Globalization;
using Hubbub.Core;
using Hubbub.Features.Kit;
using Hubbub.Features.Kit.Users;
using Microsoft.Extensions.Options;

namespace Hubbub.Features.Wallet;

/// <summary>
/// The wallet API behind REST and the <c>wallet.*</c> commands: reading one's wallet and ledger, grants (the server's),
/// transfers between users (idempotent by the sender's <c>id</c>), and the consistency check. Each write is one
/// transaction through <see cref="IWallet"/>, so its rules are the ones other features get.
/// </summary>
public sealed class WalletService(FeatureDatabase database, IWallet wallet, IOptions<WalletOptions> options)
{
    private WalletOptions Options => options.Value;

    /// <summary>The wallet of <paramref name="me"/>.</summary>
    public Task<WalletView> GetAsync(HubbubUser me, CancellationToken cancellationToken = default) =>
        database.ReadAsync(async tx => WalletLedger.View(await WalletStore.AccountsOfAsync(tx, me.Id, cancellationToken)), cancellationToken);

    /// <summary>
    /// Gives coins (the caller has already been checked to be the server or an admin). The same <c>id</c> again grants
    /// nothing and answers the first grant with <c>duplicate</c> true, whatever else the repeat says.
    /// </summary>
    public async Task<GrantResult> GrantAsync(GrantRequest request, CancellationToken cancellationToken = default)
    {
        var user = UserDirectory.CheckUserId(request.User);
        var currency = WalletInput.Currency(request.Currency);
        var amount = WalletInput.Amount(request.Amount, Options.MaxAmount);
        var id = WalletInput.Id(request.Id);
        var reference = request.Ref is null ? id : WalletInput.Id(request.Ref, "ref");
        var (result, duplicate) = await database.WriteAsync(tx => tx.OnceAsync("wallet.grant", id, WalletJsonContext.Default.GrantResult, async () =>
        {
            var change = await wallet.GrantAsync(tx, user, currency, amount, reference, cancellationToken);
            return new GrantResult(id, user, currency, amount, change.Balance, Id(change.EntryId), Time(tx.NowMs));
        }, cancellationToken), cancellationToken);
        return result with { Duplicate = duplicate };
    }

    /// <summary>Sends coins from <paramref name="me"/> to another user, once per <c>id</c> of the sender.</summary>
    public async Task<TransferResult> TransferAsync(HubbubUser me, TransferRequest request, CancellationToken cancellationToken = default)
    {
        var to = UserDirectory.CheckUserId(request.To, "to");
        if (to == me.Id)
        {
            throw HubbubException.BadRequest("'to' must be another user");
        }
        var currency = WalletInput.Currency(request.Currency);
        var amount = WalletInput.Amount(request.Amount, Options.MaxAmount);
        var id = WalletInput.Id(request.Id);
        var (result, duplicate) = await database.WriteAsync(tx => tx.OnceAsync("wallet.transfer:" + me.Id, id, WalletJsonContext.Default.TransferResult,
            async () =>
            {
                var change = await wallet.TransferAsync(tx, me.Id, to, currency, amount, "transfer:" + id, cancellationToken);
                return new TransferResult(id, me.Id, to, currency, amount, change.Balance, Time(tx.NowMs));
            }, cancellationToken), cancellationToken);
        return result with { Duplicate = duplicate };
    }

    /// <summary><paramref name="me"/>'s ledger, newest first, before the cursor <paramref name="before"/> (an entry id).</summary>
    public async Task<LedgerPage> LedgerAsync(HubbubUser me, string? before, int? limit, string? currency, CancellationToken cancellationToken = default)
    {
        long? cursor = before is null ? null
            : long.TryParse(before, NumberStyles.None, CultureInfo.InvariantCulture, out var b) ? b
            : throw HubbubException.BadRequest("'before' must be a cursor from an earlier page");
        var size = limit ?? 50;
        if (size < 1 || size > Options.MaxPageSize)
        {
            throw HubbubException.BadRequest($"'limit' must be from 1 to {Options.MaxPageSize}");
        }
        if (currency is not null)
        {
            WalletInput.Currency(currency);
        }
        var rows = await database.ReadAsync(tx => WalletStore.LedgerAsync(tx, me.Id, currency, cursor, size + 1, cancellationToken), cancellationToken);
        var page = rows.Take(size).Select(r => new LedgerEntry(Id(r.Id), r.Currency, r.Amount, r.HeldChange, r.BalanceAfter, r.HeldAfter, r.Kind, r.Ref,
            r.Counterparty, Time(r.CreatedMs))).ToList();
        return new LedgerPage(page, rows.Count > size ? page[^1].Id : null);
    }

    /// <summary>Recomputes every account from the ledger and the holds and lists those that differ.</summary>
    public async Task<WalletCheck> CheckAsync(CancellationToken cancellationToken = default)
    {
        var (rows, entries) = await database.ReadAsync(async tx =>
            (await WalletStore.CheckAsync(tx, cancellationToken), await WalletStore.CountLedgerAsync(tx, cancellationToken)), cancellationToken);
        var differences = rows
            .Where(r => r.Balance != r.LedgerBalance || r.Held != r.LedgerHeld || r.Held != r.Holds || (r.LastBalanceAfter ?? 0) != r.Balance
                || r.Balance < 0 || r.Held < 0 || r.Held > r.Balance)
            .Select(r => new WalletDifference(r.UserId, r.Currency, r.Balance, r.LedgerBalance, r.LastBalanceAfter, r.Held, r.LedgerHeld, r.Holds))
            .ToList();
        return new WalletCheck(differences.Count == 0, rows.Count, entries, differences.Take(100).ToList());
    }

    private static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);

    private static DateTime Time(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime;
}
