namespace Hubbub.Features.Kit.Scheduling;

/// <summary>A due job handed to its handler.</summary>
/// <param name="Kind">What to do (<c>auction.end</c>); one handler per kind.</param>
/// <param name="Key">Which one (<c>the auction id</c>); a kind and key are scheduled at most once at a time.</param>
/// <param name="DueAt">When it was due.</param>
/// <param name="Payload">What the feature stored with it, or null.</param>
/// <param name="Attempts">Failed runs before this one.</param>
public sealed record Job(string Kind, string Key, DateTimeOffset DueAt, string? Payload, int Attempts);

/// <summary>The handler of one job kind, registered by a feature.</summary>
/// <param name="Kind">The job kind.</param>
/// <param name="Service">The service the handler runs on.</param>
/// <param name="Invoke">Runs the handler inside the transaction that also removes the job.</param>
public sealed record JobHandlerRegistration(string Kind, Type Service, Func<object, FeatureTransaction, Job, CancellationToken, Task> Invoke);
