using Hubbub.Core.Seams;
using Hubbub.Redis.Tests.Infrastructure;

namespace Hubbub.Redis.Tests.Contracts;

/// <summary>One node's broker and history over a backend, with the sink its broker delivers to.</summary>
public sealed record SeamNode(IBroker Broker, IHistoryStore History, RecordingSink Sink);
