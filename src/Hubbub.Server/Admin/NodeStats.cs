using Hubbub.Core;
using Hubbub.Core.Diagnostics;

namespace Hubbub.Server.Admin;

/// <summary>
/// This node's numbers for operators, read from the engine when asked: connections (the newest listed), channels
/// with their local subscriber counts, and the publish rate, sampled once a second by <see cref="Sample"/> from
/// <c>hubbub_publications_total</c> over the last <see cref="RateWindow"/> samples.
/// </summary>
public sealed class NodeStats(HubbubEngine engine, TimeProvider time)
{
    /// <summary>Connections a node lists by name; the count is always exact.</summary>
    public const int MaxClientsListed = 100;

    /// <summary>How many one-second samples the publish rate averages over.</summary>
    private const int RateWindow = 5;

    private readonly DateTimeOffset _startedAt = time.GetUtcNow();
    private readonly Queue<(long Timestamp, double Count)> _samples = new();
    private readonly Lock _gate = new();

    /// <summary>This node's id.</summary>
    public string NodeId => engine.NodeId;

    /// <summary>Takes one sample of the publication counter (called every second).</summary>
    public void Sample()
    {
        lock (_gate)
        {
            _samples.Enqueue((time.GetTimestamp(), HubbubMetrics.Publications.Value));
            while (_samples.Count > RateWindow + 1)
            {
                _samples.Dequeue();
            }
        }
    }

    /// <summary>Publications per second over the samples held (0 before two samples).</summary>
    public double PublishRate()
    {
        lock (_gate)
        {
            if (_samples.Count < 2)
            {
                return 0;
            }
            var (firstAt, first) = _samples.Peek();
            var (lastAt, last) = _samples.Last();
            var seconds = time.GetElapsedTime(firstAt, lastAt).TotalSeconds;
            return seconds <= 0 ? 0 : Math.Round((last - first) / seconds, 2);
        }
    }

    /// <summary>The node's report as of now.</summary>
    public NodeReport Report()
    {
        var connections = engine.Connections.All.Where(c => !c.IsClosing).ToList();
        var clients = connections
            .OrderByDescending(c => c.ConnectedAt)
            .Take(MaxClientsListed)
            .Select(c => new AdminClient(c.Id, c.User.Id, c.User.Name, c.ConnectedAt, c.Subscriptions.Count))
            .ToList();
        return new NodeReport(engine.NodeId, _startedAt, time.GetUtcNow(), connections.Count,
            connections.Select(c => c.User.Id).Distinct(StringComparer.Ordinal).Count(),
            connections.Sum(c => c.Subscriptions.Count), engine.Subscribers.ChannelCount,
            (long)HubbubMetrics.Publications.Value, PublishRate(), clients, connections.Count > clients.Count);
    }

    /// <summary>Channels with a subscriber on this node, with how many.</summary>
    public IEnumerable<(string Channel, int Subscribers)> Channels() => engine.Subscribers.Snapshot();

    /// <summary>Closes every connection of <paramref name="user"/> on this node; returns how many.</summary>
    public int Disconnect(string user)
    {
        var closed = 0;
        foreach (var connection in engine.Connections.All)
        {
            if (string.Equals(connection.User.Id, user, StringComparison.Ordinal) && !connection.IsClosing)
            {
                // 4403: the SDKs do not reconnect with the same token. It is no ban: a new sign-in connects again.
                connection.Close(Protocol.CloseCodes.Forbidden, "disconnected by an operator");
                closed++;
            }
        }
        return closed;
    }
}
