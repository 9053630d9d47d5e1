namespace Hubbub.Features.Kit.Declaring;

/// <summary>
/// Demo data a feature offers a newcomer trying the web console in Development. It is stored only when the console's
/// user picker asks for it (<c>POST /api/dev/seed</c>), never at start: an app or a test that talks to a fresh
/// Development server through the API meets an empty database, with no seeded users, friends or events in its way.
/// </summary>
public interface IDevelopmentSeed
{
    /// <summary>
    /// Stores the demo data unless it (or anything it would collide with) is already there; true when it stored it.
    /// Must be safe to call many times and from two sign-ins at once.
    /// </summary>
    Task<bool> SeedAsync(CancellationToken cancellationToken);
}
