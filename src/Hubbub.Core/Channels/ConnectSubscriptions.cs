using System.Text.Json;
using Hubbub.Protocol;

namespace Hubbub.Core.Channels;

/// <summary>
/// What became of the channels a client asked for in its connect (<c>subscribe=</c> on the upgrade), written into its
/// <c>welcome</c>: <c>"subscriptions"</c> maps each subscribed channel to what a <c>subscribe</c> reply would carry
/// (<c>offset</c>, <c>epoch</c>, <c>state</c>), <c>"subscription_errors"</c> each refused one to its error
/// (<c>code</c>, <c>message</c>, <c>reason</c>), as an <c>error</c> frame's data. The subscriptions are activated by
/// <see cref="Activate"/> once the welcome is queued, so the welcome comes before any of their channels' frames.
/// </summary>
internal sealed class ConnectSubscriptions(int capacity) : IWelcomeFields
{
    private readonly List<(string Channel, StartedSubscription Started)> _started = new(capacity);
    private List<(string Channel, string Code, string Message, string? Reason)>? _refused;

    /// <summary>Whether <paramref name="channel"/> was asked for already (a repeated name is answered once).</summary>
    public bool Has(string channel) =>
        _started.Exists(s => s.Channel == channel) || (_refused?.Exists(r => r.Channel == channel) ?? false);

    /// <summary>Records a started subscription.</summary>
    public void Started(string channel, StartedSubscription started) => _started.Add((channel, started));

    /// <summary>Records a refused channel.</summary>
    public void Refused(string channel, string code, string message, string? reason) =>
        (_refused ??= []).Add((channel, code, message, reason));

    /// <inheritdoc />
    public void Write(Utf8JsonWriter writer)
    {
        writer.WritePropertyName("subscriptions"u8);
        writer.WriteStartObject();
        foreach (var (channel, started) in _started)
        {
            writer.WritePropertyName(channel);
            JsonSerializer.Serialize(writer, started.Reply, HubbubJsonContext.Default.SubscribeReply);
        }
        writer.WriteEndObject();
        if (_refused is null)
        {
            return;
        }
        writer.WritePropertyName("subscription_errors"u8);
        writer.WriteStartObject();
        foreach (var (channel, code, message, reason) in _refused)
        {
            writer.WritePropertyName(channel);
            FrameWriter.WriteErrorBody(writer, code, message, reason);
        }
        writer.WriteEndObject();
    }

    /// <summary>Activates every started subscription, without a reply of its own: the welcome carried it.</summary>
    public void Activate()
    {
        foreach (var (_, started) in _started)
        {
            started.Subscription.Activate(null, started.Top, started.Recovered);
        }
    }
}
