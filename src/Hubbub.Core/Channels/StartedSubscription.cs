using Hubbub.Core.Connections;
using Hubbub.Core.Seams;
using Hubbub.Protocol;

namespace Hubbub.Core.Channels;

/// <summary>
/// A subscription <see cref="ChannelLifetime"/> has started but not yet activated: registered and buffering, its reply
/// made. Whoever answers the client (a <c>subscribe</c> frame's reply, or the welcome) activates it once that answer
/// is queued.
/// </summary>
internal readonly record struct StartedSubscription(Subscription Subscription, SubscribeReply Reply, StreamTop Top, IReadOnlyList<Publication> Recovered);
