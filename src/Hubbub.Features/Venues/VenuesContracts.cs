using System.Text.Json.Serialization;
using Hubbub.Features.Kit.Callers;

namespace Hubbub.Features.Venues;

/// <summary>A venue's numbers, computed in its local day (its IANA time zone).</summary>
/// <param name="Present">Members checked in now: the count of open visits.</param>
/// <param name="CheckinsToday">Check-ins since local midnight.</param>
/// <param name="CheckoutsToday">Check-outs since local midnight (automatic ones included).</param>
/// <param name="AvgDurationS">Mean length in whole seconds of the visits that ended today; 0 while none did (<c>checkouts_today</c> 0).</param>
/// <param name="PeakToday">The most members present at once since local midnight (those still in from yesterday count).</param>
/// <param name="PeakAt">When that peak was first reached (local midnight when it was there from the start); null while it is 0.</param>
/// <param name="Day">The local day the numbers are for (<c>yyyy-MM-dd</c>).</param>
public sealed record VenueStats(
    [property: JsonPropertyName("present")] long Present,
    [property: JsonPropertyName("checkins_today")] long CheckinsToday,
    [property: JsonPropertyName("checkouts_today")] long CheckoutsToday,
    [property: JsonPropertyName("avg_duration_s")] long AvgDurationS,
    [property: JsonPropertyName("peak_today")] long PeakToday,
    [property: JsonPropertyName("peak_at")] DateTime? PeakAt,
    [property: JsonPropertyName("day")] string Day);

/// <summary>A venue with its current stats.</summary>
/// <param name="Id">The venue id (the name part of <c>venue:{id}</c>).</param>
/// <param name="Name">Display name.</param>
/// <param name="Capacity">Members it holds at once.</param>
/// <param name="Timezone">IANA time zone its days are counted in.</param>
/// <param name="Locations">Places inside it a check-in may name ("front desk", "pool"); empty when none.</param>
/// <param name="WhenFull">What a check-in at capacity does: <c>refuse</c> or <c>flag</c>.</param>
/// <param name="Stats">Its numbers now.</param>
/// <param name="CreatedAt">When it was created.</param>
public sealed record VenueView(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("capacity")] int Capacity,
    [property: JsonPropertyName("timezone")] string Timezone,
    [property: JsonPropertyName("locations")] IReadOnlyList<string> Locations,
    [property: JsonPropertyName("when_full")] string WhenFull,
    [property: JsonPropertyName("stats")] VenueStats Stats,
    [property: JsonPropertyName("created_at")] DateTime CreatedAt);

/// <summary>Venues by id, paged with <c>after</c>.</summary>
public sealed record VenueList(
    [property: JsonPropertyName("venues")] IReadOnlyList<VenueView> Venues,
    [property: JsonPropertyName("next_cursor")] string? NextCursor);

/// <summary>
/// <c>POST /api/venues</c> (every field but <c>id</c>, <c>locations</c> and <c>when_full</c> required), <c>PUT</c> (the
/// same, replacing) and <c>PATCH /api/venues/{id}</c> (fields left out stay as they are).
/// </summary>
public sealed record VenueRequest(
    [property: JsonPropertyName("id")] string? Id,
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("capacity")] int? Capacity,
    [property: JsonPropertyName("timezone")] string? Timezone,
    [property: JsonPropertyName("locations")] IReadOnlyList<string>? Locations,
    [property: JsonPropertyName("when_full")] string? WhenFull);

/// <summary><c>POST /api/venues/{id}/checkins</c> and <c>venues.checkin</c>.</summary>
public sealed record CheckinRequest(
    [property: JsonPropertyName("venue")] string? Venue,
    [property: JsonPropertyName("location")] string? Location,
    [property: JsonPropertyName("user")] string? User = null,
    [property: JsonPropertyName("client_id")] string? ClientId = null) : IActingRequest;

/// <summary><c>POST /api/venues/{id}/checkout</c> and <c>venues.checkout</c>.</summary>
public sealed record CheckoutRequest(
    [property: JsonPropertyName("venue")] string? Venue,
    [property: JsonPropertyName("user")] string? User = null,
    [property: JsonPropertyName("client_id")] string? ClientId = null) : IActingRequest;

/// <summary>One visit: a check-in and, once it ended, its check-out.</summary>
/// <param name="Id">The visit id.</param>
/// <param name="User">The member.</param>
/// <param name="Venue">The venue id.</param>
/// <param name="Location">Where inside the venue, or null.</param>
/// <param name="CheckedInAt">When the member checked in.</param>
/// <param name="CheckedOutAt">When the visit ended, null while open.</param>
/// <param name="DurationS">Its length in whole seconds, null while open.</param>
/// <param name="Auto">True when the server ended it (open past <c>Venues:MaxSessionHours</c>).</param>
/// <param name="OverCapacity">True when it was let in at capacity (<c>when_full: flag</c>).</param>
public sealed record VisitView(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("user")] string User,
    [property: JsonPropertyName("venue")] string Venue,
    [property: JsonPropertyName("location")] string? Location,
    [property: JsonPropertyName("checked_in_at")] DateTime CheckedInAt,
    [property: JsonPropertyName("checked_out_at")] DateTime? CheckedOutAt,
    [property: JsonPropertyName("duration_s")] long? DurationS,
    [property: JsonPropertyName("auto")] bool Auto,
    [property: JsonPropertyName("over_capacity")] bool OverCapacity);

/// <summary>A member's visits, newest first, paged with <c>before</c>.</summary>
public sealed record VisitList(
    [property: JsonPropertyName("visits")] IReadOnlyList<VisitView> Visits,
    [property: JsonPropertyName("next_cursor")] string? NextCursor);

/// <summary>One entry of a venue's activity: a check-in or a check-out.</summary>
/// <param name="Id">The entry id (<c>in-{visit}</c> or <c>out-{visit}</c>).</param>
/// <param name="Kind"><c>checkin</c> or <c>checkout</c>.</param>
/// <param name="Visit">The visit id.</param>
/// <param name="User">The member.</param>
/// <param name="Name">Their display name.</param>
/// <param name="Location">Where inside the venue, or null.</param>
/// <param name="At">When it happened.</param>
/// <param name="DurationS">For a check-out, the visit's length in seconds; null for a check-in.</param>
/// <param name="Auto">For a check-out, whether the server made it.</param>
public sealed record ActivityItem(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("visit")] string Visit,
    [property: JsonPropertyName("user")] string User,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("location")] string? Location,
    [property: JsonPropertyName("at")] DateTime At,
    [property: JsonPropertyName("duration_s")] long? DurationS,
    [property: JsonPropertyName("auto")] bool Auto);

/// <summary>A venue's newest check-ins and check-outs, newest first, paged with <c>before</c>.</summary>
public sealed record ActivityList(
    [property: JsonPropertyName("activities")] IReadOnlyList<ActivityItem> Activities,
    [property: JsonPropertyName("next_cursor")] string? NextCursor);

/// <summary>What a subscribe to <c>venue:{id}</c> answers as <c>state</c>: the venue, its stats, its last 10 activities.</summary>
public sealed record VenueJoinState(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("capacity")] int Capacity,
    [property: JsonPropertyName("timezone")] string Timezone,
    [property: JsonPropertyName("stats")] VenueStats Stats,
    [property: JsonPropertyName("activities")] IReadOnlyList<ActivityItem> Activities);

/// <summary>One local day of a venue's history.</summary>
public sealed record DayStats(
    [property: JsonPropertyName("day")] string Day,
    [property: JsonPropertyName("checkins")] long Checkins,
    [property: JsonPropertyName("checkouts")] long Checkouts,
    [property: JsonPropertyName("avg_duration_s")] long AvgDurationS,
    [property: JsonPropertyName("peak")] long Peak,
    [property: JsonPropertyName("peak_at")] DateTime? PeakAt);

/// <summary><c>GET /api/venues/{id}/stats/history</c>: the last <c>days</c> local days, today first.</summary>
public sealed record StatsHistory(
    [property: JsonPropertyName("venue")] string Venue,
    [property: JsonPropertyName("timezone")] string Timezone,
    [property: JsonPropertyName("days")] IReadOnlyList<DayStats> Days);

/// <summary><c>member_checked_in</c> on <c>venue:{id}</c>.</summary>
public sealed record MemberCheckedIn(
    [property: JsonPropertyName("user")] string User,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("location")] string? Location,
    [property: JsonPropertyName("at")] DateTime At,
    [property: JsonPropertyName("visit")] string Visit,
    [property: JsonPropertyName("over_capacity")] bool OverCapacity);

/// <summary><c>member_checked_out</c> on <c>venue:{id}</c>.</summary>
public sealed record MemberCheckedOut(
    [property: JsonPropertyName("user")] string User,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("duration_s")] long DurationS,
    [property: JsonPropertyName("at")] DateTime At,
    [property: JsonPropertyName("auto")] bool Auto,
    [property: JsonPropertyName("visit")] string Visit);

/// <summary><c>stats_update</c> on <c>venue:{id}</c>, after every check-in and check-out.</summary>
public sealed record StatsUpdate([property: JsonPropertyName("stats")] VenueStats Stats);

/// <summary><c>activity_notification</c> on <c>venue:{id}</c>: a line for a feed or a toast.</summary>
public sealed record ActivityNotification(
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("user")] string User,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("text")] string Text,
    [property: JsonPropertyName("at")] DateTime At);

/// <summary>The domain event <c>checkin.completed</c>, raised at every check-out.</summary>
public sealed record CheckinCompleted(
    [property: JsonPropertyName("user")] string User,
    [property: JsonPropertyName("venue")] string Venue,
    [property: JsonPropertyName("duration_s")] long DurationS,
    [property: JsonPropertyName("visit")] string Visit,
    [property: JsonPropertyName("auto")] bool Auto);

/// <summary>Source-generated JSON for the check-ins API.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(VenueView))]
[JsonSerializable(typeof(VenueList))]
[JsonSerializable(typeof(VenueRequest))]
[JsonSerializable(typeof(CheckinRequest))]
[JsonSerializable(typeof(CheckoutRequest))]
[JsonSerializable(typeof(VisitView))]
[JsonSerializable(typeof(VisitList))]
[JsonSerializable(typeof(ActivityList))]
[JsonSerializable(typeof(VenueJoinState))]
[JsonSerializable(typeof(StatsHistory))]
[JsonSerializable(typeof(MemberCheckedIn))]
[JsonSerializable(typeof(MemberCheckedOut))]
[JsonSerializable(typeof(StatsUpdate))]
[JsonSerializable(typeof(ActivityNotification))]
[JsonSerializable(typeof(CheckinCompleted))]
[JsonSerializable(typeof(string[]))]
public sealed partial class VenuesJsonContext : JsonSerializerContext;
