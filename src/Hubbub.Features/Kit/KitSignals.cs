namespace Hubbub.Features.Kit;

/// <summary>
/// The in-process wake-ups of the kit's loops, shared so that a commit can wake them without depending on them (their
/// handlers depend on the commit path, not the other way round).
/// </summary>
public sealed class KitSignals
{
    internal Wakeup DomainEvents { get; } = new();

    internal Wakeup Jobs { get; } = new();

    internal Wakeup Webhooks { get; } = new();
}
