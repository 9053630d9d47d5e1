namespace Hubbub.Core.Publishing;

/// <summary>One event of several published on one channel (<see cref="IChannelPublisher.PublishAllAsync"/>).</summary>
/// <param name="EventType">The event type subscribers see in <c>type</c>.</param>
/// <param name="Data">The <c>data</c> member as UTF-8 JSON.</param>
public readonly record struct ChannelEvent(string EventType, ReadOnlyMemory<byte> Data);
