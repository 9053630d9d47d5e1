namespace Hubbub.Core.Seams;

/// <summary>How much of a channel's stream is kept for history and recovery.</summary>
/// <param name="Size">Publications kept at most (0 keeps none: offsets still grow).</param>
/// <param name="Ttl">How long a publication is kept.</param>
public readonly record struct HistoryPolicy(int Size, TimeSpan Ttl);

/// <summary>The newest position of a channel's stream.</summary>
/// <param name="Offset">The offset of the latest publication, 0 before any.</param>
/// <param name="Epoch">The stream's epoch.</param>
public readonly record struct StreamTop(long Offset, string Epoch);

/// <summary>Publications read from history, oldest first, with the stream's newest position.</summary>
/// <param name="Publications">The publications asked for, oldest first.</param>
/// <param name="Top">The newest position when they were read.</param>
/// <param name="Complete">
/// False when the stream no longer holds everything that was asked for (trimmed or expired, or the
/// epoch differs): a recovering client must then reload its state.
/// </param>
public sealed record HistoryResult(IReadOnlyList<Publication> Publications, StreamTop Top, bool Complete);
