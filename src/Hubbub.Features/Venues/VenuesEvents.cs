using Hubbub.Features.Kit.DomainEvents;

namespace Hubbub.Features.Venues;

/// <summary>The check-in feature's event names; events are written with the change (the kit's outbox).</summary>
public static class VenuesEvents
{
    /// <summary>On <c>venue:{id}</c>: a member checked in (<see cref="MemberCheckedIn"/>).</summary>
    public const string MemberCheckedIn = "member_checked_in";
    /// <summary>On <c>venue:{id}</c>: a member checked out or was checked out (<see cref="MemberCheckedOut"/>).</summary>
    public const string MemberCheckedOut = "member_checked_out";
    /// <summary>On <c>venue:{id}</c>: the stats after each check-in and check-out (<see cref="StatsUpdate"/>).</summary>
    public const string StatsUpdate = "stats_update";
    /// <summary>On <c>venue:{id}</c>: a feed line for each check-in and check-out (<see cref="ActivityNotification"/>).</summary>
    public const string ActivityNotification = "activity_notification";
    /// <summary>On <c>venue:{id}</c>: the venue was edited (data: the venue).</summary>
    public const string VenueUpdated = "venue_updated";

    /// <summary>The domain event of every check-out, for rules (XP, streaks such as "visit 3 days in a row").</summary>
    public static readonly DomainEventKind<CheckinCompleted> CheckinCompleted = new("checkin.completed", VenuesJsonContext.Default.CheckinCompleted);
}
