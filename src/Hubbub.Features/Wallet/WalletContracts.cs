using System.Text.Json.Serialization;
using Hubbub.Features.Kit.Callers;

namespace Hubbub.Features.Wallet;

/// <summary>
/// A user's wallet: per currency the balance (the sum of the ledger), what is held (set aside for bids) and what is
/// available to spend (balance − held). Currencies the user never had are absent.
/// </summary>
public sealed record WalletView(
    [property: JsonPropertyName("balances")] IReadOnlyDictionary<string, long> Balances,
    [property: JsonPropertyName("held")] IReadOnlyDictionary<string, long> Held,
    [property: JsonPropertyName("available")] IReadOnlyDictionary<string, long> Available);

/// <summary><c>wallet.get</c>: the caller's wallet (an admin may name <c>user</c>).</summary>
public sealed record WalletRequest([property: JsonPropertyName("user")] string? User = null) : IActingRequest;

/// <summary><c>POST /api/wallet/grants</c> (server or admin): gives <c>amount</c> of <c>currency</c> to <c>user</c>, once per <c>id</c>.</summary>
public sealed record GrantRequest(
    [property: JsonPropertyName("user")] string? User,
    [property: JsonPropertyName("currency")] string? Currency,
    [property: JsonPropertyName("amount")] long? Amount,
    [property: JsonPropertyName("id")] string? Id,
    [property: JsonPropertyName("ref")] string? Ref = null);

/// <summary>The answer to a grant; a repeated <c>id</c> answers the first grant again with <c>duplicate</c> true.</summary>
public sealed record GrantResult(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("user")] string User,
    [property: JsonPropertyName("currency")] string Currency,
    [property: JsonPropertyName("amount")] long Amount,
    [property: JsonPropertyName("balance")] long Balance,
    [property: JsonPropertyName("entry")] string Entry,
    [property: JsonPropertyName("created_at")] DateTime CreatedAt,
    [property: JsonPropertyName("duplicate")] bool Duplicate = false);

/// <summary><c>POST /api/wallet/transfers</c> and <c>wallet.transfer</c>: the caller sends <c>amount</c> to <c>to</c>, once per <c>id</c>.</summary>
public sealed record TransferRequest(
    [property: JsonPropertyName("to")] string? To,
    [property: JsonPropertyName("currency")] string? Currency,
    [property: JsonPropertyName("amount")] long? Amount,
    [property: JsonPropertyName("id")] string? Id,
    [property: JsonPropertyName("user")] string? User = null) : IActingRequest;

/// <summary>The answer to a transfer (<c>balance</c> is the sender's after it); a repeated <c>id</c> answers it again with <c>duplicate</c> true.</summary>
public sealed record TransferResult(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("from")] string From,
    [property: JsonPropertyName("to")] string To,
    [property: JsonPropertyName("currency")] string Currency,
    [property: JsonPropertyName("amount")] long Amount,
    [property: JsonPropertyName("balance")] long Balance,
    [property: JsonPropertyName("created_at")] DateTime CreatedAt,
    [property: JsonPropertyName("duplicate")] bool Duplicate = false);

/// <summary>
/// One ledger entry: <c>amount</c> is the change of the balance (0 for holds and releases), <c>held_change</c> the
/// change of the held total; <c>balance_after</c>/<c>held_after</c> the account after it; <c>ref</c> what it was for
/// (<c>auction:{id}</c>, a grant's or transfer's id); <c>counterparty</c> the other user of a transfer, capture or fee.
/// </summary>
public sealed record LedgerEntry(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("currency")] string Currency,
    [property: JsonPropertyName("amount")] long Amount,
    [property: JsonPropertyName("held_change")] long HeldChange,
    [property: JsonPropertyName("balance_after")] long BalanceAfter,
    [property: JsonPropertyName("held_after")] long HeldAfter,
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("ref")] string? Ref,
    [property: JsonPropertyName("counterparty")] string? Counterparty,
    [property: JsonPropertyName("created_at")] DateTime CreatedAt);

/// <summary><c>GET /api/wallet/ledger</c>: newest first; <c>next_cursor</c> (the <c>before</c> of the next page) is null at the end.</summary>
public sealed record LedgerPage(
    [property: JsonPropertyName("entries")] IReadOnlyList<LedgerEntry> Entries,
    [property: JsonPropertyName("next_cursor")] string? NextCursor);

/// <summary>
/// <c>GET /api/wallet/check</c>: every account recomputed from the ledger and the holds; <c>ok</c> when nothing
/// differs. <c>differences</c> lists at most 100 accounts.
/// </summary>
public sealed record WalletCheck(
    [property: JsonPropertyName("ok")] bool Ok,
    [property: JsonPropertyName("accounts")] long Accounts,
    [property: JsonPropertyName("ledger_entries")] long LedgerEntries,
    [property: JsonPropertyName("differences")] IReadOnlyList<WalletDifference> Differences);

/// <summary>
/// An account whose stored totals differ from what the ledger and holds say: <c>balance</c> vs the sum of the
/// ledger's amounts (and the last entry's <c>balance_after</c>), <c>held</c> vs the sum of its <c>held_change</c>s and
/// the sum of its holds.
/// </summary>
public sealed record WalletDifference(
    [property: JsonPropertyName("user")] string User,
    [property: JsonPropertyName("currency")] string Currency,
    [property: JsonPropertyName("balance")] long Balance,
    [property: JsonPropertyName("ledger_balance")] long LedgerBalance,
    [property: JsonPropertyName("last_balance_after")] long? LastBalanceAfter,
    [property: JsonPropertyName("held")] long Held,
    [property: JsonPropertyName("ledger_held")] long LedgerHeld,
    [property: JsonPropertyName("holds")] long Holds);

/// <summary>Source-generated JSON for the wallet API.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(WalletView))]
[JsonSerializable(typeof(WalletRequest))]
[JsonSerializable(typeof(GrantRequest))]
[JsonSerializable(typeof(GrantResult))]
[JsonSerializable(typeof(TransferRequest))]
[JsonSerializable(typeof(TransferResult))]
[JsonSerializable(typeof(LedgerPage))]
[JsonSerializable(typeof(WalletCheck))]
public sealed partial class WalletJsonContext : JsonSerializerContext;
