namespace Hubbub.Core.Seams;

/// <summary>
/// Per-channel append-only streams with offsets and an epoch, bounded by size and age. Appending is the
/// broker's job (append and delivery must be one atomic step); this seam reads.
/// </summary>
public interface IHistoryStore
{
    /// <summary>The newest position of a channel (offset 0 and a fresh epoch before any publication).</summary>
    ValueTask<StreamTop> GetTopAsync(string channel, CancellationToken cancellationToken = default);

    /// <summary>
    /// Publications after <paramref name="sinceOffset"/> when it is given (the first <paramref name="limit"/>
    /// of them), else the latest <paramref name="limit"/>; oldest first. When <paramref name="sinceEpoch"/> is
    /// given and differs from the stream's, nothing is returned and the result is not complete.
    /// </summary>
    ValueTask<HistoryResult> ReadAsync(string channel, long? sinceOffset, string? sinceEpoch, int limit,
        CancellationToken cancellationToken = default);
}
