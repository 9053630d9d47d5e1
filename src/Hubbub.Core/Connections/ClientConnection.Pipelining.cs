namespace Hubbub.Core.Connections;

/// <summary>
/// Publications without an id that the reader did not wait for (see <c>ChannelRequests.PublishAsync</c>): counted,
/// so one connection cannot have more than a bound of them in flight.
/// </summary>
public sealed partial class ClientConnection
{
    private int _unansweredPublishes;

    /// <summary>Counts one more publication in flight; false (and nothing counted) when <paramref name="max"/> are already.</summary>
    internal bool TryStartUnansweredPublish(int max)
    {
        if (Interlocked.Increment(ref _unansweredPublishes) <= max)
        {
            return true;
        }
        Interlocked.Decrement(ref _unansweredPublishes);
        return false;
    }

    /// <summary>One publication in flight has finished.</summary>
    internal void EndUnansweredPublish() => Interlocked.Decrement(ref _unansweredPublishes);
}
