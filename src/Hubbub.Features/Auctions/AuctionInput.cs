using System.Globalization;
using Hubbub.Core;
using Hubbub.Features.Kit.Text;
using Hubbub.Features.Wallet;

namespace Hubbub.Features.Auctions;

/// <summary>Checks a new auction's fields into a row, refusing with <c>bad_request</c> (or <c>too_large</c> for long text) and a message naming the field.</summary>
internal static class AuctionInput
{
    /// <summary>Longest auction id accepted in a path or command.</summary>
    public const int MaxIdLength = 64;

    public static AuctionRow Create(CreateAuctionRequest r, HubbubUser seller, long nowMs, AuctionsOptions o, WalletOptions wallet)
    {
        var title = StoredText.Title(r.Title, o.MaxTitleLength) ?? throw HubbubException.BadRequest("'title' is required");
        var description = StoredText.Body(r.Description, o.MaxDescriptionLength, "description");
        var currency = WalletInput.Currency(r.Currency);
        var startingBid = WalletInput.Amount(r.StartingBid, wallet.MaxAmount, "starting_bid");
        var minIncrement = WalletInput.Amount(r.MinIncrement, wallet.MaxAmount, "min_increment");
        long? reserve = r.ReservePrice is null ? null : WalletInput.Amount(r.ReservePrice, wallet.MaxAmount, "reserve_price");

        var starts = r.StartsAt is null ? nowMs : Start(Time(r.StartsAt, "starts_at"), nowMs);
        var ends = Time(r.EndsAt ?? throw HubbubException.BadRequest("'ends_at' is required"), "ends_at");
        if (starts > nowMs + TimeSpan.FromDays(o.MaxScheduleAheadDays).Ticks / TimeSpan.TicksPerMillisecond)
        {
            throw HubbubException.BadRequest($"'starts_at' is more than {o.MaxScheduleAheadDays} days ahead");
        }
        if (ends <= starts || ends <= nowMs)
        {
            throw HubbubException.BadRequest("'ends_at' must be after 'starts_at' and in the future");
        }
        if (ends - starts > (long)TimeSpan.FromDays(o.MaxDurationDays).TotalMilliseconds)
        {
            throw HubbubException.BadRequest($"an auction lasts at most {o.MaxDurationDays} days");
        }
        var within = Seconds(r.ExtendWithinS ?? 0, "extend_within_s", o.MaxExtendSeconds, allowZero: true);
        var by = Seconds(r.ExtendByS ?? (within > 0 ? within : 30), "extend_by_s", o.MaxExtendSeconds, allowZero: false);
        var maxEnd = r.MaxEndAt is null ? ends + (long)TimeSpan.FromMinutes(o.DefaultMaxExtensionMinutes).TotalMilliseconds : Time(r.MaxEndAt, "max_end_at");
        if (maxEnd < ends)
        {
            throw HubbubException.BadRequest("'max_end_at' must not be before 'ends_at'");
        }
        if (maxEnd - starts > (long)TimeSpan.FromDays(o.MaxDurationDays + 1).TotalMilliseconds)
        {
            throw HubbubException.BadRequest("'max_end_at' is too far after 'ends_at'");
        }
        return new AuctionRow
        {
            Id = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8)),
            Seller = seller.Id, SellerName = seller.Name, Title = title, Description = description, Currency = currency,
            StartingBid = startingBid, MinIncrement = minIncrement, ReservePrice = reserve,
            StartsMs = starts, EndsMs = ends, MaxEndMs = maxEnd, ExtendWithinMs = within * 1000, ExtendByMs = by * 1000,
            Status = AuctionStatus.Open, CreatedMs = nowMs,
        };
    }

    /// <summary>An auction id from a path or command: what the server generates is 16 hex digits; anything else is not found.</summary>
    public static string Id(string? id) => id switch
    {
        null or "" => throw HubbubException.BadRequest("'auction' is required"),
        { Length: > MaxIdLength } => throw HubbubException.BadRequest($"an auction id has at most {MaxIdLength} characters"),
        _ => id,
    };

    private static long Time(string value, string field) =>
        IsoTimes.TryParse(value, out var t) && t.Year is >= 2000 and <= 9000
            ? t.ToUnixTimeMilliseconds()
            : throw HubbubException.BadRequest($"'{field}' must be an ISO-8601 time, such as \"2030-01-01T12:00:00Z\"");

    /// <summary>
    /// A start in the past means now: an auction begins when it is created or later, and is stored so, never backdated
    /// into a live one whose first minutes nobody could bid in (an app's "start now" sent with its own clock's time, a
    /// little behind, or a minute back to be safe, starts it at once).
    /// </summary>
    private static long Start(long starts, long nowMs) => Math.Max(starts, nowMs);

    private static long Seconds(long value, string field, int max, bool allowZero) =>
        value >= (allowZero ? 0 : 1) && value <= max
            ? value
            : throw HubbubException.BadRequest($"'{field}' must be a whole number of seconds from {(allowZero ? 0 : 1)} to {max}");
}
