using Hubbub.Bench.Infra;

namespace Hubbub.Bench.Scenarios;

/// <summary>
/// <c>chat</c>: persisted chat messages per second with delivery p99, on SQLite and PostgreSQL. The chat feature
/// (its command and storage) is not in this build, so the scenario reports itself pending rather than measure
/// plain publishes under its name.
/// </summary>
public sealed class ChatScenario : IScenario
{
    /// <inheritdoc />
    public string Name => "chat";

    /// <inheritdoc />
    public bool Supports(ServerKind kind) => kind == ServerKind.Hubbub;

    /// <inheritdoc />
    public string? PendingReason() => "pending the chat feature: no chat command or endpoint in this build";

    /// <inheritdoc />
    public Task RunAsync(ScenarioContext context, ServerKind kind, int round, CancellationToken cancellationToken) =>
        throw new InvalidOperationException(PendingReason());
}
