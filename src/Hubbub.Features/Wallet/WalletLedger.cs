using Hubbub.Core;
using Hubbub.Features.Kit;
using Hubbub.Protocol;
using Microsoft.Extensions.Options;

namespace Hubbub.Features.Wallet;

/// <summary>
/// The wallet's operations inside a caller's transaction (<see cref="IWallet"/>): each locks the account, checks, writes
/// the new totals and the ledger entry together, and publishes <c>wallet_updated</c> after the commit. The database's
/// CHECK constraints stand behind the checks here: nothing can go negative even through a bug.
/// </summary>
internal sealed class WalletLedger(IOptions<WalletOptions> options) : IWallet
{
    /// <summary>The refusal when an account has less available than asked.</summary>
    public static HubbubException InsufficientFunds(string currency) =>
        new(ErrorCodes.Conflict, "insufficient_funds", $"not enough {currency} available");

    private static HubbubException BalanceLimit(long max) =>
        new(ErrorCodes.Conflict, "balance_limit", $"a balance may not exceed {max}");

    public async Task LockAsync(FeatureTransaction tx, IEnumerable<string> users, string currency, CancellationToken cancellationToken = default)
    {
        foreach (var user in users.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            await WalletStore.LockAccountAsync(tx, user, currency, cancellationToken);
        }
    }

    public async Task<WalletChange> GrantAsync(FeatureTransaction tx, string user, string currency, long amount, string? reference,
        CancellationToken cancellationToken = default)
    {
        CheckAmount(amount);
        var account = await WalletStore.LockAccountAsync(tx, user, currency, cancellationToken);
        if (account.Balance + amount > options.Value.MaxBalance)
        {
            throw BalanceLimit(options.Value.MaxBalance);
        }
        return await ChangeAsync(tx, account, LedgerKinds.Grant, amount, 0, reference, null, cancellationToken);
    }

    public async Task<WalletChange> HoldAsync(FeatureTransaction tx, string user, string currency, string reference, long amount,
        CancellationToken cancellationToken = default)
    {
        CheckAmount(amount);
        var account = await WalletStore.LockAccountAsync(tx, user, currency, cancellationToken);
        var current = (await WalletStore.FindHoldAsync(tx, user, currency, reference, cancellationToken))?.Amount ?? 0;
        var delta = amount - current;
        if (delta == 0)
        {
            return new WalletChange(0, account.Balance, account.Held);
        }
        if (delta > account.Balance - account.Held)
        {
            throw InsufficientFunds(currency);
        }
        await WalletStore.SetHoldAsync(tx, user, currency, reference, amount, tx.NowMs, cancellationToken);
        return await ChangeAsync(tx, account, delta > 0 ? LedgerKinds.Hold : LedgerKinds.Release, 0, delta, reference, null, cancellationToken);
    }

    public async Task SetHoldsAsync(FeatureTransaction tx, string currency, string reference, IReadOnlyList<HoldSetting> holds,
        CancellationToken cancellationToken = default)
    {
        foreach (var setting in holds)
        {
            if (setting.Amount != 0)
            {
                CheckAmount(setting.Amount);
            }
        }
        var users = holds.Select(h => h.User).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        if (users.Length != holds.Count)
        {
            throw new ArgumentException("each user's hold is set once", nameof(holds));
        }
        var rows = await WalletStore.LockWithHoldsAsync(tx, users, currency, reference, cancellationToken);
        var entries = new List<LedgerEntryRow>(holds.Count);
        var held = new List<(string User, long Held)>(holds.Count);
        var set = new List<(string User, long Amount)>(holds.Count);
        var released = new List<string>();
        foreach (var setting in holds)
        {
            var account = rows.Find(r => r.UserId == setting.User && r.Currency == currency);
            var delta = setting.Amount - (account?.Hold ?? 0);
            if (delta == 0)
            {
                continue;
            }
            // No account: nothing held and nothing available (the amount is at least 1, so delta > 0 here).
            // The constraints would refuse the rest too; checking first names the problem instead of failing the statement.
            if (account is null || delta > account.Balance - account.Held || account.Held + delta < 0)
            {
                throw InsufficientFunds(currency);
            }
            account.Held += delta;
            account.Hold = setting.Amount == 0 ? null : setting.Amount;
            entries.Add(new LedgerEntryRow(setting.User, delta > 0 ? LedgerKinds.Hold : LedgerKinds.Release, 0, delta, account.Balance, account.Held));
            held.Add((setting.User, account.Held));
            if (setting.Amount == 0)
            {
                released.Add(setting.User);
            }
            else
            {
                set.Add((setting.User, setting.Amount));
            }
        }
        if (entries.Count == 0)
        {
            return;
        }
        if (set.Count > 0)
        {
            await WalletStore.SetHoldsAsync(tx, currency, reference, set, tx.NowMs, cancellationToken);
        }
        if (released.Count > 0)
        {
            await WalletStore.DeleteHoldsAsync(tx, released, currency, reference, cancellationToken);
        }
        await WalletStore.SetHeldAsync(tx, currency, held, cancellationToken);
        await WalletStore.AppendManyAsync(tx, currency, reference, entries, tx.NowMs, cancellationToken);
        // The views come from the rows read and changed here: every currency of the user, no second read.
        foreach (var (user, _) in held)
        {
            var accounts = rows.Where(r => r.UserId == user).Select(r => new AccountRow { UserId = r.UserId, Currency = r.Currency, Balance = r.Balance, Held = r.Held })
                .ToList();
            await tx.PublishAsync(FeatureTransaction.UserChannel(user), WalletEvents.Updated, View(accounts), WalletJsonContext.Default.WalletView,
                cancellationToken);
        }
    }

    public async Task<long> ReleaseAsync(FeatureTransaction tx, string user, string currency, string reference, CancellationToken cancellationToken = default)
    {
        var account = await WalletStore.LockAccountAsync(tx, user, currency, cancellationToken);
        if (await WalletStore.FindHoldAsync(tx, user, currency, reference, cancellationToken) is not { } hold)
        {
            return 0;
        }
        await WalletStore.DeleteHoldAsync(tx, user, currency, reference, cancellationToken);
        await ChangeAsync(tx, account, LedgerKinds.Release, 0, -hold.Amount, reference, null, cancellationToken);
        return hold.Amount;
    }

    public async Task<long> CaptureAsync(FeatureTransaction tx, string from, string to, string currency, string reference, long fee, string? feeTo,
        CancellationToken cancellationToken = default)
    {
        await LockAsync(tx, feeTo is null ? [from, to] : [from, to, feeTo], currency, cancellationToken);
        var payer = await WalletStore.LockAccountAsync(tx, from, currency, cancellationToken);
        var hold = await WalletStore.FindHoldAsync(tx, from, currency, reference, cancellationToken)
            ?? throw new InvalidOperationException($"no hold of '{from}' for '{reference}' to capture");
        if (fee < 0 || fee > hold.Amount || (fee > 0 && feeTo is null))
        {
            throw new ArgumentOutOfRangeException(nameof(fee), fee, "a fee is between 0 and the amount captured, and is paid to someone");
        }
        await WalletStore.DeleteHoldAsync(tx, from, currency, reference, cancellationToken);
        await ChangeAsync(tx, payer, LedgerKinds.Capture, -hold.Amount, -hold.Amount, reference, to, cancellationToken);
        var payee = await WalletStore.LockAccountAsync(tx, to, currency, cancellationToken);
        payee = (await ChangeRowAsync(tx, payee, LedgerKinds.Transfer, hold.Amount, 0, reference, from, cancellationToken)).Row;
        if (fee > 0)
        {
            payee = (await ChangeRowAsync(tx, payee, LedgerKinds.Fee, -fee, 0, reference, feeTo, cancellationToken)).Row;
            var house = await WalletStore.LockAccountAsync(tx, feeTo!, currency, cancellationToken);
            await ChangeAsync(tx, house, LedgerKinds.Fee, fee, 0, reference, to, cancellationToken);
        }
        await PublishAsync(tx, to, cancellationToken);
        return hold.Amount;
    }

    public async Task<WalletChange> TransferAsync(FeatureTransaction tx, string from, string to, string currency, long amount, string? reference,
        CancellationToken cancellationToken = default)
    {
        CheckAmount(amount);
        if (from == to)
        {
            throw HubbubException.BadRequest("a transfer goes to another user");
        }
        await LockAsync(tx, [from, to], currency, cancellationToken);
        var sender = await WalletStore.LockAccountAsync(tx, from, currency, cancellationToken);
        var receiver = await WalletStore.LockAccountAsync(tx, to, currency, cancellationToken);
        if (amount > sender.Balance - sender.Held)
        {
            throw InsufficientFunds(currency);
        }
        if (receiver.Balance + amount > options.Value.MaxBalance)
        {
            throw BalanceLimit(options.Value.MaxBalance);
        }
        var sent = await ChangeAsync(tx, sender, LedgerKinds.Transfer, -amount, 0, reference, to, cancellationToken);
        await ChangeAsync(tx, receiver, LedgerKinds.Transfer, amount, 0, reference, from, cancellationToken);
        return sent;
    }

    public async Task<IReadOnlyList<WalletHold>> HoldsForAsync(FeatureTransaction tx, string reference, CancellationToken cancellationToken = default) =>
        (await WalletStore.HoldsForAsync(tx, reference, cancellationToken)).Select(h => new WalletHold(h.UserId, h.Currency, h.Ref, h.Amount)).ToList();

    /// <summary>A user's wallet as the API and <c>wallet_updated</c> show it.</summary>
    public static WalletView View(IReadOnlyList<AccountRow> accounts) => new(
        accounts.ToDictionary(a => a.Currency, a => a.Balance, StringComparer.Ordinal),
        accounts.ToDictionary(a => a.Currency, a => a.Held, StringComparer.Ordinal),
        accounts.ToDictionary(a => a.Currency, a => a.Balance - a.Held, StringComparer.Ordinal));

    private void CheckAmount(long amount)
    {
        if (amount < 1 || amount > options.Value.MaxAmount)
        {
            throw HubbubException.BadRequest($"an amount is a whole number from 1 to {options.Value.MaxAmount}");
        }
    }

    /// <summary>Applies one change to a locked account, appends its entry and publishes the user's wallet.</summary>
    private async Task<WalletChange> ChangeAsync(FeatureTransaction tx, AccountRow account, string kind, long amount, long heldChange, string? reference,
        string? counterparty, CancellationToken ct)
    {
        var after = await ChangeRowAsync(tx, account, kind, amount, heldChange, reference, counterparty, ct);
        await PublishAsync(tx, account.UserId, ct);
        return new WalletChange(after.Id, after.Row.Balance, after.Row.Held);
    }

    private static async Task<(AccountRow Row, long Id)> ChangeRowAsync(FeatureTransaction tx, AccountRow account, string kind, long amount,
        long heldChange, string? reference, string? counterparty, CancellationToken ct)
    {
        var after = new AccountRow
        {
            UserId = account.UserId, Currency = account.Currency, Balance = account.Balance + amount, Held = account.Held + heldChange,
        };
        // The constraints would refuse this too; checking first names the problem instead of failing the statement.
        if (after.Balance < 0 || after.Held < 0 || after.Held > after.Balance)
        {
            throw InsufficientFunds(account.Currency);
        }
        await WalletStore.SetAccountAsync(tx, after.UserId, after.Currency, after.Balance, after.Held, ct);
        var id = await WalletStore.AppendAsync(tx, after.UserId, after.Currency, kind, amount, heldChange, after, reference, counterparty, tx.NowMs, ct);
        return (after, id);
    }

    private static async Task PublishAsync(FeatureTransaction tx, string user, CancellationToken ct) =>
        await tx.PublishAsync(FeatureTransaction.UserChannel(user), WalletEvents.Updated, View(await WalletStore.AccountsOfAsync(tx, user, ct)),
            WalletJsonContext.Default.WalletView, ct);
}
