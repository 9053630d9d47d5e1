namespace Hubbub.Features.Wallet;

/// <summary>The wallet's event names and ledger kinds.</summary>
public static class WalletEvents
{
    /// <summary>On <c>user:{id}</c> after every change to the user's wallet: data <c>{balances, held, available}</c>.</summary>
    public const string Updated = "wallet_updated";
}

/// <summary>What a ledger entry records (its <c>kind</c>).</summary>
public static class LedgerKinds
{
    /// <summary>Coins given by the server (balance up).</summary>
    public const string Grant = "grant";
    /// <summary>Coins set aside for something (a bid): held up, balance unchanged.</summary>
    public const string Hold = "hold";
    /// <summary>A hold given back: held down, balance unchanged.</summary>
    public const string Release = "release";
    /// <summary>A hold spent: held and balance down by the hold.</summary>
    public const string Capture = "capture";
    /// <summary>Coins moved between users: down for the sender, up for the receiver (also a sale's proceeds).</summary>
    public const string Transfer = "transfer";
    /// <summary>A fee: down for who pays it, up for the house account.</summary>
    public const string Fee = "fee";
}
