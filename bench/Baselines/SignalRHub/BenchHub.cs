using Microsoft.AspNetCore.SignalR;

namespace SignalRHub;

/// <summary>Join a group, publish to a group (received as <c>m</c>), and echo.</summary>
public sealed class BenchHub : Hub
{
    /// <summary>Subscribes the caller to <paramref name="channel"/>.</summary>
    public Task Join(string channel) => Groups.AddToGroupAsync(Context.ConnectionId, channel);

    /// <summary>Sends <paramref name="payload"/> to every member of <paramref name="channel"/>.</summary>
    public Task Publish(string channel, string payload) => Clients.Group(channel).SendAsync("m", payload);

    /// <summary>Returns <paramref name="payload"/> (round-trip latency).</summary>
#pragma warning disable CA1822 // SignalR binds instance methods only.
    public string Echo(string payload) => payload;
#pragma warning restore CA1822
}
