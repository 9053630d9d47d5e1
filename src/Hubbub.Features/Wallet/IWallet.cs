using Hubbub.Features.Kit;

namespace Hubbub.Features.Wallet;

/// <summary>
/// The wallet as other features use it: every operation joins the caller's <see cref="FeatureTransaction"/>, so a bid's
/// hold, a sale's payment or a reward's grant commits or rolls back with the caller's own change. Each operation writes
/// its ledger entries, keeps balance = sum of the ledger and held = sum of the holds, refuses to take anything below
/// zero (<c>conflict</c>, reason <c>insufficient_funds</c>), and publishes <c>wallet_updated</c> to each user it changed
/// after the commit.
/// </summary>
/// <remarks>
/// Concurrency: an operation locks each account it changes (PostgreSQL <c>FOR UPDATE</c>; SQLite's write lock covers
/// it). A caller that changes several accounts in one transaction calls <see cref="LockAsync"/> first with all of
/// them, which locks them in one global order, so two such transactions can never wait on each other in a cycle.
/// </remarks>
public interface IWallet
{
    /// <summary>Locks (creating when missing) the accounts of <paramref name="users"/> in <paramref name="currency"/>, in a fixed order.</summary>
    Task LockAsync(FeatureTransaction tx, IEnumerable<string> users, string currency, CancellationToken cancellationToken = default);

    /// <summary>Gives <paramref name="amount"/> to <paramref name="user"/> (kind <c>grant</c>); returns the ledger entry's id.</summary>
    Task<WalletChange> GrantAsync(FeatureTransaction tx, string user, string currency, long amount, string? reference,
        CancellationToken cancellationToken = default);

    /// <summary>
    /// Sets <paramref name="user"/>'s hold for <paramref name="reference"/> to <paramref name="amount"/>: tops an existing
    /// hold up (or down) by the difference, so one reference never has two holds. Refused with <c>insufficient_funds</c>
    /// when the increase is more than is available.
    /// </summary>
    Task<WalletChange> HoldAsync(FeatureTransaction tx, string user, string currency, string reference, long amount,
        CancellationToken cancellationToken = default);

    /// <summary>
    /// Sets the holds of several users for one <paramref name="reference"/> at once, each as <see cref="HoldAsync"/> would
    /// (an <see cref="HoldSetting.Amount"/> of 0 releases the user's hold, as <see cref="ReleaseAsync"/> would): the same
    /// ledger entries, checks and <c>wallet_updated</c>, applied in the order given, but written in a fixed handful of
    /// statements whatever the number of users (a bid that tops up the bidder's hold and releases the previous leader's).
    /// Locks the accounts itself, in the global order. Refused with <c>insufficient_funds</c>, nothing applied, when an
    /// increase is more than the user has available.
    /// </summary>
    Task SetHoldsAsync(FeatureTransaction tx, string currency, string reference, IReadOnlyList<HoldSetting> holds,
        CancellationToken cancellationToken = default);

    /// <summary>Releases <paramref name="user"/>'s hold for <paramref name="reference"/>; returns what was released (0: none).</summary>
    Task<long> ReleaseAsync(FeatureTransaction tx, string user, string currency, string reference, CancellationToken cancellationToken = default);

    /// <summary>
    /// Spends <paramref name="from"/>'s whole hold for <paramref name="reference"/> (kind <c>capture</c>) and pays it to
    /// <paramref name="to"/> (kind <c>transfer</c>), less <paramref name="fee"/> paid to <paramref name="feeTo"/> (kind
    /// <c>fee</c>); returns the amount captured. No hold is a programming error (it throws).
    /// </summary>
    Task<long> CaptureAsync(FeatureTransaction tx, string from, string to, string currency, string reference, long fee, string? feeTo,
        CancellationToken cancellationToken = default);

    /// <summary>Moves <paramref name="amount"/> from one user to another (kind <c>transfer</c> on both); <c>insufficient_funds</c> when not available.</summary>
    Task<WalletChange> TransferAsync(FeatureTransaction tx, string from, string to, string currency, long amount, string? reference,
        CancellationToken cancellationToken = default);

    /// <summary>The holds for <paramref name="reference"/>, whoever holds them.</summary>
    Task<IReadOnlyList<WalletHold>> HoldsForAsync(FeatureTransaction tx, string reference, CancellationToken cancellationToken = default);
}

/// <summary>The result of an operation on one account: its ledger entry and the account after it.</summary>
/// <param name="EntryId">The ledger entry written (for the user the operation is about).</param>
/// <param name="Balance">The balance after it.</param>
/// <param name="Held">The held total after it.</param>
public sealed record WalletChange(long EntryId, long Balance, long Held);

/// <summary>A hold: who set aside how much of which currency for what.</summary>
public sealed record WalletHold(string User, string Currency, string Reference, long Amount);

/// <summary>What a user's hold for a reference becomes (<see cref="IWallet.SetHoldsAsync"/>); 0 releases it.</summary>
public readonly record struct HoldSetting(string User, long Amount);
