namespace Hubbub.Messaging.Tests.Infrastructure;

/// <summary>One server per test class and engine, shared by tests that use fresh users each.</summary>
public abstract class ChatFixture : IAsyncLifetime
{
    /// <summary>Sends allowed at once: high, so tests that send many messages are not rate limited (ClockedChatTests checks the limit).</summary>
    public static readonly Dictionary<string, string?> Settings = new() { ["Messaging:SendBurst"] = "1000" };

    private ChatServer? _chat;

    public abstract string Engine { get; }

    public ChatServer Chat => _chat ?? throw new InvalidOperationException("fixture not started");

    public async Task InitializeAsync() => _chat = await ChatServer.StartAsync(Engine, Settings);

    public async Task DisposeAsync()
    {
        if (_chat is not null)
        {
            await _chat.DisposeAsync();
        }
    }
}

public sealed class SqliteChat : ChatFixture
{
    public override string Engine => "sqlite";
}

public sealed class PostgresChat : ChatFixture
{
    public override string Engine => "postgres";
}
