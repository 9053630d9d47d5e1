namespace Hubbub.Features.Wallet;

/// <summary>Limits of the wallet (configuration section <c>Wallet</c>), validated at start.</summary>
public sealed class WalletOptions : Kit.Declaring.IFeatureOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Wallet";

    /// <summary>Largest amount of one grant, transfer, hold or bid.</summary>
    public long MaxAmount { get; set; } = 1_000_000_000_000;

    /// <summary>Largest balance of one account (a grant or transfer past it is refused with <c>balance_limit</c>).</summary>
    public long MaxBalance { get; set; } = 1_000_000_000_000_000;

    /// <summary>Most ledger entries one page lists.</summary>
    public int MaxPageSize { get; set; } = 100;

    /// <summary>Largest request body of the wallet API (bytes).</summary>
    public int MaxBodyBytes { get; set; } = 16 * 1024;

    /// <summary>The problems with these settings, empty when they are valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (MaxAmount < 1)
        {
            problems.Add("Wallet:MaxAmount must be at least 1.");
        }
        if (MaxBalance < MaxAmount || MaxBalance > long.MaxValue / 4)
        {
            problems.Add("Wallet:MaxBalance must be at least Wallet:MaxAmount and at most 2^61.");
        }
        if (MaxPageSize < 1)
        {
            problems.Add("Wallet:MaxPageSize must be at least 1.");
        }
        if (MaxBodyBytes < 1024)
        {
            problems.Add("Wallet:MaxBodyBytes must be at least 1024.");
        }
        return problems;
    }
}
