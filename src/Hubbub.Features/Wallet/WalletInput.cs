using System.Globalization;
using Hubbub.Core;
using Hubbub.Features.Kit.Text;

namespace Hubbub.Features.Wallet;

/// <summary>What the wallet (and every feature that moves coins) accepts as a currency, an amount and an idempotency id.</summary>
public static class WalletInput
{
    /// <summary>Longest currency code.</summary>
    public const int MaxCurrencyLength = 16;

    /// <summary>Longest idempotency id of a grant or transfer.</summary>
    public const int MaxIdLength = 128;

    /// <summary>A currency code: 1-16 of <c>A-Z a-z 0-9 _ -</c> (<c>coins</c>, <c>gems</c>, <c>USD</c>), case-sensitive.</summary>
    public static string Currency(string? currency, string field = "currency") =>
        currency is { Length: > 0 and <= MaxCurrencyLength } && currency.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-')
            ? currency
            : throw HubbubException.BadRequest($"'{field}' must be 1-{MaxCurrencyLength} of A-Z, a-z, 0-9, _ and -");

    /// <summary>A positive whole amount of at most <paramref name="max"/> (JSON fractions and strings are refused by the parser).</summary>
    public static long Amount(long? amount, long max, string field = "amount") =>
        amount is { } n && n >= 1 && n <= max
            ? n
            : throw HubbubException.BadRequest($"'{field}' must be a whole number from 1 to {max.ToString(CultureInfo.InvariantCulture)}");

    /// <summary>An idempotency id: 1-128 characters without control characters.</summary>
    public static string Id(string? id, string field = "id")
    {
        if (id is not { Length: > 0 and <= MaxIdLength } || id.Any(char.IsControl))
        {
            throw HubbubException.BadRequest($"'{field}' must be 1-{MaxIdLength} characters without control characters");
        }
        StoredText.Check(id, field);
        return id;
    }
}
