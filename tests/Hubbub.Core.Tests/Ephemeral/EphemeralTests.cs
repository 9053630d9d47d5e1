using System.Text;
using System.Text.Json;
using Hubbub.Core.Ephemeral;
using Hubbub.Core.Seams;
using Hubbub.Protocol;
using Microsoft.Extensions.Time.Testing;

namespace Hubbub.Core.Tests.Ephemeral;

public sealed class EphemeralTests
{
    private readonly FakeTimeProvider _clock = new();
    private readonly List<(string Channel, EphemeralEvent Event)> _sent = [];
    private static readonly ClientInfo Ada = new("42", "Ada");

    private ValueTask Send(string channel, EphemeralEvent e)
    {
        lock (_sent)
        {
            _sent.Add((channel, e));
        }
        return ValueTask.CompletedTask;
    }

    private JsonElement Data(int index) => JsonDocument.Parse(_sent[index].Event.Frame).RootElement.GetProperty("data");

    [Fact]
    public async Task Typing_expires_after_the_timeout_and_excludes_the_typist()
    {
        using var typing = new TypingTracker(_clock, TimeSpan.FromSeconds(3), Send);
        await typing.SetAsync("public:a", Ada, true);
        Assert.Equal("42", _sent[0].Event.ExcludeUser);
        Assert.True(Data(0).GetProperty("is_typing").GetBoolean());
        _clock.Advance(TimeSpan.FromMilliseconds(2999));
        Assert.Single(_sent);
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(2, _sent.Count);
        Assert.False(Data(1).GetProperty("is_typing").GetBoolean());
        Assert.Equal(0, typing.ActiveCount);
    }

    [Fact]
    public async Task Stop_if_typing_is_silent_when_not_typing()
    {
        using var typing = new TypingTracker(_clock, TimeSpan.FromSeconds(3), Send);
        await typing.StopIfTypingAsync("public:a", Ada);
        Assert.Empty(_sent);
    }

    [Fact]
    public async Task Cursor_sends_first_at_once_then_the_latest_per_interval()
    {
        using var cursors = new CursorCoalescer(_clock, TimeSpan.FromMilliseconds(100), Send);
        foreach (var x in new[] { 1, 2, 3 })
        {
            await cursors.MoveAsync("public:a", Ada, JsonDocument.Parse($"{{\"channel\":\"public:a\",\"x\":{x}}}").RootElement);
        }
        Assert.Single(_sent);
        Assert.Equal(1, Data(0).GetProperty("x").GetInt32());
        _clock.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Equal(2, _sent.Count);
        Assert.Equal(3, Data(1).GetProperty("x").GetInt32());
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(2, _sent.Count); // nothing pending, nothing sent
        Assert.Equal("""{"user":"42","name":"Ada","x":3}""", Data(1).GetRawText());
        _ = Encoding.UTF8.GetString(_sent[1].Event.Frame);
    }

    [Fact]
    public async Task Cursor_position_cannot_spoof_the_user()
    {
        using var cursors = new CursorCoalescer(_clock, TimeSpan.FromMilliseconds(100), Send);
        await cursors.MoveAsync("public:a", Ada, JsonDocument.Parse("""{"user":"1","name":"Root","x":1}""").RootElement);
        Assert.Equal("42", Data(0).GetProperty("user").GetString());
        Assert.Equal("Ada", Data(0).GetProperty("name").GetString());
    }
}
