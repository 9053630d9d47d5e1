using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Hubbub.Core;
using Hubbub.Core.Channels;
using Hubbub.Features.Kit;
using Hubbub.Features.Kit.Declaring;
using Hubbub.Features.Kit.Text;
using Hubbub.Features.Kit.Users;
using Microsoft.Extensions.Options;

namespace Hubbub.Features.Venues;

/// <summary>
/// Check-ins: venues (defined by the server or an admin), members checking in and out, and each venue's live numbers
/// on <c>venue:{id}</c>. Who is present is the count of open visits (one source of truth, at most one open visit per
/// member and venue by a unique partial index); the day counters are written in the same transaction as the visit.
/// Check-ins and check-outs of one venue hold its row (PostgreSQL) or the write lock (SQLite), so capacity and peak are
/// decided one at a time. Refusals are <see cref="HubbubException"/>s with protocol error codes and reasons.
/// </summary>
public sealed partial class VenuesService(FeatureDatabase database, VenueQueries queries, UserDirectory users, IOptions<VenuesOptions> options)
{
    /// <summary>The channel namespace of venues.</summary>
    public const string Namespace = "venue";

    /// <summary>Longest venue id (the name part of its channel).</summary>
    public const int MaxVenueIdLength = 64;

    /// <summary>The job that checks out a visit left open past <see cref="VenuesOptions.MaxSessionHours"/> (key: the visit id).</summary>
    public const string AutoCheckoutJob = "venues.auto_checkout";

    /// <summary>A path segment under <c>/api/venues</c> that is not a venue.</summary>
    private const string ReservedId = "visits";

    private VenuesOptions Options => options.Value;

    /// <summary>The channel of a venue.</summary>
    public static string ChannelOf(string venue) => $"{Namespace}:{venue}";

    /// <summary>Creates a venue (the caller checked it is the server or an admin); a taken id is <c>conflict</c>, reason <c>venue_exists</c>.</summary>
    public async Task<VenueView> CreateAsync(VenueRequest request, CancellationToken cancellationToken = default)
    {
        var id = request.Id is null ? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)) : CheckVenueId(request.Id);
        var row = new VenueRow
        {
            Id = id,
            Name = CheckName(request.Name ?? throw HubbubException.BadRequest("'name' is required")),
            Capacity = CheckCapacity(request.Capacity ?? throw HubbubException.BadRequest("'capacity' is required")),
            Timezone = VenueDay.Zone(request.Timezone ?? throw HubbubException.BadRequest("'timezone' is required")).Id,
            Locations = JsonSerializer.Serialize(CheckLocations(request.Locations ?? []), VenuesJsonContext.Default.StringArray),
            WhenFull = CheckWhenFull(request.WhenFull),
        };
        return await database.WriteAsync(async tx =>
        {
            if (!await VenuesStore.TryInsertVenueAsync(tx, row, tx.NowMs, cancellationToken))
            {
                throw new HubbubException(Protocol.ErrorCodes.Conflict, "venue_exists", $"venue '{id}' already exists");
            }
            row.CreatedMs = tx.NowMs;
            return VenueQueries.View(row, await VenueQueries.StatsAsync(tx, row, tx.NowMs, cancellationToken), Options.WhenFull);
        }, cancellationToken);
    }

    /// <summary>
    /// Edits a venue (the server or an admin): with <paramref name="replace"/> (PUT) every field of a creation is
    /// required and those left out are reset; otherwise (PATCH) fields left out stay. The time zone of a venue with
    /// visits is fixed (<c>conflict</c>, reason <c>venue_has_visits</c>): its stored days were counted in it.
    /// </summary>
    public async Task<VenueView> UpdateAsync(string id, VenueRequest request, bool replace, CancellationToken cancellationToken = default)
    {
        CheckVenueId(id);
        if (request.Id is not null && request.Id != id)
        {
            throw HubbubException.BadRequest("a venue's 'id' cannot change");
        }
        if (replace && (request.Name is null || request.Capacity is null || request.Timezone is null))
        {
            throw HubbubException.BadRequest("PUT replaces the venue: 'name', 'capacity' and 'timezone' are required");
        }
        var name = request.Name is null ? null : CheckName(request.Name);
        var capacity = request.Capacity is { } c ? CheckCapacity(c) : (long?)null;
        var zone = request.Timezone is null ? null : VenueDay.Zone(request.Timezone).Id;
        var locations = request.Locations is null ? null
            : JsonSerializer.Serialize(CheckLocations(request.Locations), VenuesJsonContext.Default.StringArray);
        var whenFull = CheckWhenFull(request.WhenFull);
        return await database.WriteAsync(async tx =>
        {
            var row = await VenuesStore.FindVenueAsync(tx, id, cancellationToken, forUpdate: true) ?? throw VenueQueries.NotFound();
            if (zone is not null && zone != row.Timezone && await VenuesStore.HasVisitsAsync(tx, id, cancellationToken))
            {
                throw new HubbubException(Protocol.ErrorCodes.Conflict, "venue_has_visits",
                    "the time zone of a venue with visits cannot change: its days were counted in it");
            }
            row.Name = name ?? row.Name;
            row.Capacity = capacity ?? row.Capacity;
            row.Timezone = zone ?? row.Timezone;
            row.Locations = locations ?? (replace ? "[]" : row.Locations);
            row.WhenFull = whenFull ?? (replace ? null : row.WhenFull);
            await VenuesStore.UpdateVenueAsync(tx, row, tx.NowMs, cancellationToken);
            var view = VenueQueries.View(row, await VenueQueries.StatsAsync(tx, row, tx.NowMs, cancellationToken), Options.WhenFull);
            await tx.PublishAsync(ChannelOf(id), VenuesEvents.VenueUpdated, view, VenuesJsonContext.Default.VenueView, cancellationToken);
            return view;
        }, cancellationToken);
    }

    /// <summary>One venue with its stats (any signed-in user, or the server).</summary>
    public Task<VenueView> GetAsync(string id, CancellationToken cancellationToken = default) =>
        queries.GetAsync(CheckVenueId(id), Options.WhenFull, cancellationToken);

    /// <summary>Venues by id, <paramref name="limit"/> (1-100, default 50) at a time after <paramref name="after"/>.</summary>
    public Task<VenueList> ListAsync(string? after, int? limit, CancellationToken cancellationToken = default) =>
        queries.ListAsync(after is null ? null : KeysetCursor.ParseId(after, "after"), Limit(limit, 50), Options.WhenFull, cancellationToken);

    /// <summary>A venue's newest check-ins and check-outs (<paramref name="limit"/> 1-100, default 10).</summary>
    public Task<ActivityList> ActivityAsync(string id, string? before, int? limit, CancellationToken cancellationToken = default) =>
        queries.ActivityAsync(CheckVenueId(id), before, Limit(limit, VenueQueries.DefaultActivityLimit), cancellationToken);

    /// <summary>A venue's last <paramref name="days"/> local days (1-90, default 30), today first.</summary>
    public Task<StatsHistory> HistoryAsync(string id, int? days, CancellationToken cancellationToken = default) =>
        queries.HistoryAsync(CheckVenueId(id), days switch
        {
            null => 30,
            >= 1 and <= VenueQueries.MaxHistoryDays => days.Value,
            _ => throw HubbubException.BadRequest($"'days' must be 1-{VenueQueries.MaxHistoryDays}"),
        }, cancellationToken);

    private static int Limit(int? limit, int fallback) => limit switch
    {
        null => fallback,
        >= 1 and <= VenueQueries.MaxPage => limit.Value,
        _ => throw HubbubException.BadRequest($"'limit' must be 1-{VenueQueries.MaxPage}"),
    };

    /// <summary>A venue id must make a valid channel name part: <c>venue:{id}</c>.</summary>
    internal static string CheckVenueId(string? id)
    {
        if (id is null)
        {
            throw HubbubException.BadRequest("'venue' is required");
        }
        if (id.Length > MaxVenueIdLength || !ChannelName.IsValidName(id) || id == ReservedId)
        {
            throw HubbubException.BadRequest(
                $"a venue id is 1-{MaxVenueIdLength.ToString(CultureInfo.InvariantCulture)} letters, digits and _ - . : @ = , | (not '{ReservedId}')");
        }
        return id;
    }

    private string CheckName(string name) => CheckText(name, "name", Options.MaxNameLength);

    private static string CheckText(string text, string field, int maxLength)
    {
        text = text.Trim();
        if (text.Length == 0 || text.Any(char.IsControl))
        {
            throw HubbubException.BadRequest($"'{field}' must not be empty or hold control characters");
        }
        StoredText.Check(text, field);
        return text.Length > maxLength ? throw HubbubException.TooLarge($"'{field}' is longer than {maxLength} characters") : text;
    }

    private long CheckCapacity(int capacity) => capacity >= 1 && capacity <= Options.MaxCapacity
        ? capacity
        : throw HubbubException.BadRequest($"'capacity' must be 1-{Options.MaxCapacity}");

    private string[] CheckLocations(IReadOnlyList<string> locations)
    {
        if (locations.Count > Options.MaxLocations)
        {
            throw HubbubException.TooLarge($"a venue lists at most {Options.MaxLocations} locations");
        }
        return [.. locations.Select(l => CheckText(l ?? "", "locations", Options.MaxLocationLength)).Distinct(StringComparer.Ordinal)];
    }

    private static string? CheckWhenFull(string? whenFull) => whenFull switch
    {
        null => null,
        VenuesOptions.Refuse or VenuesOptions.Flag => whenFull,
        _ => throw HubbubException.BadRequest("'when_full' must be 'refuse' or 'flag'"),
    };
}
