namespace Hubbub.Features.Wallet;

// Settable properties: SQLite returns every integer as 64-bit, which Dapper converts for properties only.

internal sealed class AccountRow
{
    public string UserId { get; set; } = "";
    public string Currency { get; set; } = "";
    public long Balance { get; set; }
    public long Held { get; set; }
}

/// <summary>An account with the amount its user holds for one reference (null: no hold), as <see cref="WalletStore.LockWithHoldsAsync"/> reads it.</summary>
internal sealed class AccountHoldRow
{
    public string UserId { get; set; } = "";
    public string Currency { get; set; } = "";
    public long Balance { get; set; }
    public long Held { get; set; }
    public long? Hold { get; set; }
}

/// <summary>A ledger entry to append (<see cref="WalletStore.AppendManyAsync"/>).</summary>
internal sealed record LedgerEntryRow(string User, string Kind, long Amount, long HeldChange, long BalanceAfter, long HeldAfter);

internal sealed class HoldRow
{
    public string UserId { get; set; } = "";
    public string Currency { get; set; } = "";
    public string Ref { get; set; } = "";
    public long Amount { get; set; }
}

internal sealed class LedgerRow
{
    public long Id { get; set; }
    public string Currency { get; set; } = "";
    public string Kind { get; set; } = "";
    public long Amount { get; set; }
    public long HeldChange { get; set; }
    public long BalanceAfter { get; set; }
    public long HeldAfter { get; set; }
    public string? Ref { get; set; }
    public string? Counterparty { get; set; }
    public long CreatedMs { get; set; }
}

internal sealed class CheckRow
{
    public string UserId { get; set; } = "";
    public string Currency { get; set; } = "";
    public long Balance { get; set; }
    public long Held { get; set; }
    public long LedgerBalance { get; set; }
    public long LedgerHeld { get; set; }
    public long? LastBalanceAfter { get; set; }
    public long Holds { get; set; }
}
