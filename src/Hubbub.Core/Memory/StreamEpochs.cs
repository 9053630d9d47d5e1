using System.Security.Cryptography;

namespace Hubbub.Core.Memory;

/// <summary>
/// The epoch a channel's next in-memory stream opens under. A channel without a stream (never published to, or
/// dropped) reads as offset 0 of this epoch, and its next publication opens a stream under the same epoch, so a
/// subscriber told that epoch sees offset 1 follow with no <c>stream_reset</c>. Dropping a stream moves the
/// channel on (<see cref="Retire"/>): its offsets restart at 1 under an epoch it never had, so a client still
/// holding an offset of the dropped stream is told <c>recovered:false</c> instead of being handed the new
/// stream's publications as if they followed.
/// </summary>
/// <remarks>
/// Generations are counted per hash slot, not per channel, so forgetting a channel leaves nothing behind. A slot
/// shared with a dropped channel moves the other channels on too; for one never published to, its subscribers then
/// get <c>stream_reset</c> before its first publication. That is noise, never a wrong recovery: an epoch is the
/// process's random base plus the slot's generation, which only grows.
/// </remarks>
internal sealed class StreamEpochs
{
    private const int Slots = 1 << 16; // 256 KB of counters, whatever the number of channels

    private readonly string _base = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
    private readonly int[] _generations = new int[Slots];

    /// <summary>The epoch <paramref name="channel"/> reads as, and opens its next stream under.</summary>
    public string Of(string channel)
    {
        var generation = (uint)Volatile.Read(ref _generations[Slot(channel)]);
        return generation == 0 ? _base : $"{_base}-{generation:x}";
    }

    /// <summary>Moves <paramref name="channel"/> to a new epoch; call before its stream leaves the table.</summary>
    public void Retire(string channel) => Interlocked.Increment(ref _generations[Slot(channel)]);

    private static int Slot(string channel) => StringComparer.Ordinal.GetHashCode(channel) & (Slots - 1);
}
