namespace Hubbub.Features.Kit.DomainEvents;

/// <summary>
/// A feature's domain event that announces the XP it is worth in one of its fields (learning's <c>task.completed</c>
/// carries its task's <c>xp</c>): gamification gives that XP while no XP rule of the event's type is stored, so a task
/// created with 10 XP gives 10 XP without the app writing a rule; a stored rule of the type replaces it.
/// </summary>
/// <param name="EventType">The event's type name.</param>
/// <param name="Field">The numeric field of its data that holds the XP.</param>
public sealed record AnnouncedXp(string EventType, string Field);
