using System.Globalization;
using Hubbub.Features.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace Hubbub.Features.Tests.Gamification;

/// <summary>
/// A server of its own per test on a fake clock that starts at <paramref name="start"/>, its scheduler polling every
/// 50 ms and retrying after 20, so a job falls due as soon as a test moves the clock past it: for what the platform's
/// scheduler does at a moment (a challenge's end, a board's reset).
/// </summary>
public abstract class FakeClockGame(string engine, string start) : IAsyncLifetime
{
    protected FakeTimeProvider Clock { get; } = new(DateTimeOffset.Parse(start, CultureInfo.InvariantCulture));

    protected ChatServer Chat { get; private set; } = null!;

    /// <summary>The server's REST API with the API key.</summary>
    protected ServerApi Api { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Chat = await ChatServer.StartAsync(engine, new() { ["Kit:PollMs"] = "50", ["Kit:RetryBaseMs"] = "20" }, Clock);
        Api = Game.Server(Chat);
    }

    public async Task DisposeAsync()
    {
        Api.Dispose();
        await Chat.DisposeAsync();
    }
}
