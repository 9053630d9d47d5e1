using Microsoft.Extensions.Time.Testing;

namespace Hubbub.Features.Tests.Infrastructure;

/// <summary>
/// One real server (<see cref="ChatServer"/>) per test class, on the engine a subclass names (<c>"sqlite"</c> or
/// <c>"postgres"</c>), started before the class's first test and stopped after its last: the tests share it and keep
/// apart with fresh ids. A suite's fixture is this plus its settings: <c>public sealed class SqliteGame : GameFixture</c>
/// with <c>Engine =&gt; "sqlite"</c>. (Hubbub.Testing has no xunit core, so this lives with the feature suites.)
/// </summary>
public abstract class FeatureServerFixture : IAsyncLifetime
{
    private ChatServer? _chat;

    /// <summary>The database engine: <c>"sqlite"</c> or <c>"postgres"</c>.</summary>
    public abstract string Engine { get; }

    /// <summary>The server, once started.</summary>
    public ChatServer Chat => _chat ?? throw new InvalidOperationException("fixture not started");

    /// <summary>The kit's dispatcher polling every 50 ms and retrying after 20 ms: handlers' effects show up quickly.</summary>
    public static Dictionary<string, string?> FastKit => new() { ["Kit:PollMs"] = "50", ["Kit:RetryBaseMs"] = "20" };

    /// <summary>Settings of the suite (null: the server's defaults).</summary>
    protected virtual Dictionary<string, string?>? Settings => null;

    /// <summary>The server's clock (null: the real one).</summary>
    protected virtual FakeTimeProvider? Clock => null;

    /// <inheritdoc />
    public async Task InitializeAsync() => _chat = await ChatServer.StartAsync(Engine, Settings, Clock);

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (_chat is not null)
        {
            await _chat.DisposeAsync();
        }
    }
}
