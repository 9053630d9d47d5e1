using System.Text.Json;
using Hubbub.Messaging.Tests.Infrastructure;
using static Hubbub.Messaging.Tests.ConversationApiTests;

namespace Hubbub.Messaging.Tests;

/// <summary>The chat.* WebSocket commands, the conversation channel's rules, and typing on a conversation.</summary>
public abstract class ChatCommandTests(ChatFixture fixture)
{
    private ChatServer Chat => fixture.Chat;

    [Fact]
    public async Task Two_users_chat_over_the_WebSocket_alone()
    {
        var (ada, bob) = (Users.New("ada"), Users.New("bob"));
        await using var adaWs = await Chat.ConnectAsync(ada, "Ada");
        await using var bobWs = await Chat.ConnectAsync(bob, "Bob");
        await bobWs.SubscribeAsync($"user:{bob}");

        var conversation = await adaWs.OkAsync("chat.create", new { participants = new[] { bob } });
        var c = Id(conversation);
        Assert.Equal("direct", conversation.GetProperty("kind").GetString());
        Assert.Equal(c, Id((await bobWs.NextAsync(f => f.Type() == "conversation_added")).GetProperty("data")));
        Assert.Equal(c, Id((await adaWs.OkAsync("chat.create", new { participants = new[] { bob } })))); // the same one

        await bobWs.SubscribeAsync($"conversation:{c}");
        var sent = await adaWs.OkAsync("chat.send", new { conversation = c, text = "hi bob", client_id = "w-1" });
        Assert.Equal("hi bob", sent.GetProperty("text").GetString());
        var delivered = await bobWs.NextAsync(f => f.Type() == "message" && f.Channel() == $"conversation:{c}");
        Assert.Equal(sent.GetRawText(), delivered.GetProperty("data").GetRawText());

        var retried = await adaWs.OkAsync("chat.send", new { conversation = c, text = "hi bob", client_id = "w-1" });
        Assert.Equal(sent.GetRawText(), retried.GetRawText());
        Assert.Empty(await bobWs.PendingAfterSyncAsync(f => f.Type() == "message"));

        var list = await bobWs.OkAsync("chat.conversations");
        var mine = Assert.Single(list.GetProperty("conversations").EnumerateArray());
        Assert.Equal(1, mine.GetProperty("unread_count").GetInt64());
        Assert.Equal(Id(sent), Id(mine.GetProperty("last_message")));

        var receipt = await bobWs.OkAsync("chat.read", new { conversation = c, message = Id(sent) });
        Assert.Equal(bob, receipt.GetProperty("user").GetString());
        Assert.Equal(receipt.GetRawText(), (await bobWs.NextAsync(f => f.Type() == "read")).GetProperty("data").GetRawText());

        var edited = await adaWs.OkAsync("chat.edit", new { conversation = c, message = Id(sent), text = "hi, Bob" });
        Assert.Equal(edited.GetRawText(), (await bobWs.NextAsync(f => f.Type() == "message_edited")).GetProperty("data").GetRawText());
        var deleted = await adaWs.OkAsync("chat.delete", new { conversation = c, message = Id(sent) });
        Assert.True(deleted.GetProperty("deleted").GetBoolean());
        Assert.Equal(deleted.GetRawText(), (await bobWs.NextAsync(f => f.Type() == "message_deleted")).GetProperty("data").GetRawText());

        for (var i = 0; i < 4; i++)
        {
            await bobWs.OkAsync("chat.send", new { conversation = c, text = $"b{i}" });
        }
        var page = await adaWs.OkAsync("chat.messages", new { conversation = c, limit = 2 });
        Assert.Equal(["b2", "b3"], page.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("text").GetString()));
        var older = await adaWs.OkAsync("chat.messages", new { conversation = c, before = page.GetProperty("next_cursor").GetString(), limit = 10 });
        Assert.Equal(["", "b0", "b1"], older.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("text").GetString()));
        Assert.Equal(JsonValueKind.Null, older.GetProperty("next_cursor").ValueKind);
    }

    [Fact]
    public async Task The_chat_commands_also_answer_under_the_features_name()
    {
        // FEATURES.md: every REST write is also a command <feature>.<verb>; the feature is "messaging".
        var (ada, bob) = (Users.New("ada"), Users.New("bob"));
        await using var adaWs = await Chat.ConnectAsync(ada, "Ada");
        var c = Id(await adaWs.OkAsync("messaging.create", new { participants = new[] { bob } }));
        var sent = await adaWs.OkAsync("messaging.send", new { conversation = c, text = "hi" });
        Assert.Equal("hi", (await adaWs.OkAsync("messaging.edit", new { conversation = c, message = Id(sent), text = "hi" })).GetProperty("text").GetString());
        Assert.Single((await adaWs.OkAsync("messaging.messages", new { conversation = c })).GetProperty("messages").EnumerateArray());
        Assert.Single((await adaWs.OkAsync("messaging.conversations")).GetProperty("conversations").EnumerateArray());
        Assert.Equal(Id(sent), (await adaWs.OkAsync("messaging.read", new { conversation = c, message = Id(sent) })).GetProperty("message_id").GetString());
        Assert.Equal(Id(sent), Id(await adaWs.OkAsync("messaging.delete", new { conversation = c, message = Id(sent) })));
        Assert.Equal("bad_request", (await adaWs.RequestAsync("messaging.send", new { conversation = c })).ErrorCode());
    }

    [Fact]
    public async Task Adding_and_leaving_are_commands_too_with_the_RESTs_effects_and_errors()
    {
        var (ada, bob, cy, eve) = (Users.New("ada"), Users.New("bob"), Users.New("cy"), Users.New("eve"));
        await using var adaWs = await Chat.ConnectAsync(ada, "Ada");
        await using var cyWs = await Chat.ConnectAsync(cy, "Cy");
        await cyWs.SubscribeAsync($"user:{cy}");
        var group = Id(await adaWs.OkAsync("chat.create", new { kind = "group", participants = new[] { bob }, title = "Crew" }));

        var added = await adaWs.OkAsync("chat.add", new { conversation = group, users = new[] { cy } });
        Assert.Contains(cy, added.GetProperty("participants").EnumerateArray().Select(p => p.GetProperty("user").GetString()));
        Assert.Equal(group, Id((await cyWs.NextAsync(f => f.Type() == "conversation_added")).GetProperty("data")));

        await cyWs.SubscribeAsync($"conversation:{group}");
        Assert.Equal(group, (await cyWs.OkAsync("messaging.leave", new { conversation = group })).GetProperty("conversation").GetString());
        Assert.Equal("left the conversation", (await cyWs.NextAsync(f => f.Type() == "unsubscribed")).GetProperty("data").GetProperty("reason").GetString());
        Assert.Equal("forbidden", (await cyWs.RequestAsync("chat.leave", new { conversation = group })).ErrorCode()); // left already
        Assert.Equal("forbidden", (await cyWs.RequestAsync("chat.messages", new { conversation = group })).ErrorCode());

        await using var eveWs = await Chat.ConnectAsync(eve, "Eve");
        Assert.Equal("forbidden", (await eveWs.RequestAsync("messaging.add", new { conversation = group, users = new[] { Users.New("friend") } })).ErrorCode());
        Assert.Equal("bad_request", (await adaWs.RequestAsync("chat.add", new { conversation = group })).ErrorCode());
        Assert.Equal("not_found", (await adaWs.RequestAsync("chat.leave", new { conversation = "999999999" })).ErrorCode());
        Assert.Equal("bad_request", (await adaWs.RequestAsync("chat.leave", new { })).ErrorCode());
    }

    [Fact]
    public async Task Commands_refuse_bad_data_and_strangers_with_error_frames()
    {
        var (ada, bob, eve) = (Users.New("ada"), Users.New("bob"), Users.New("eve"));
        await using var adaWs = await Chat.ConnectAsync(ada);
        await using var eveWs = await Chat.ConnectAsync(eve);
        var c = Id(await adaWs.OkAsync("chat.create", new { participants = new[] { bob } }));
        var m = Id(await adaWs.OkAsync("chat.send", new { conversation = c, text = "mine" }));

        var cases = new (WsClient Client, string Type, object? Data, string Code)[]
        {
            (adaWs, "chat.send", null, "bad_request"),
            (adaWs, "chat.send", new { conversation = c }, "bad_request"),
            (adaWs, "chat.send", new { conversation = c, text = "   " }, "bad_request"),
            (adaWs, "chat.send", new { conversation = c, text = new string('x', 4001) }, "too_large"),
            (adaWs, "chat.send", new { conversation = 5, text = "x" }, "bad_request"),
            (adaWs, "chat.send", new { conversation = c, text = new[] { "x" } }, "bad_request"),
            (adaWs, "chat.send", new { conversation = "12345678", text = "x" }, "not_found"),
            (adaWs, "chat.send", new { conversation = "conversation:1", text = "x" }, "not_found"),
            (adaWs, "chat.messages", new { conversation = c, limit = 0 }, "bad_request"),
            (adaWs, "chat.messages", new { conversation = c, limit = "ten" }, "bad_request"),
            (adaWs, "chat.messages", new { conversation = c, before = "xyz" }, "bad_request"),
            (adaWs, "chat.create", new { participants = Array.Empty<string>() }, "bad_request"),
            (adaWs, "chat.create", new { participants = new[] { "a b" } }, "bad_request"),
            (adaWs, "chat.edit", new { conversation = c, message = "99999999", text = "x" }, "not_found"),
            (adaWs, "chat.read", new { conversation = c }, "bad_request"),
            (eveWs, "chat.send", new { conversation = c, text = "hi" }, "forbidden"),
            (eveWs, "chat.messages", new { conversation = c }, "forbidden"),
            (eveWs, "chat.edit", new { conversation = c, message = m, text = "x" }, "forbidden"),
            (eveWs, "chat.delete", new { conversation = c, message = m }, "forbidden"),
            (eveWs, "chat.read", new { conversation = c, message = m }, "forbidden"),
        };
        foreach (var (client, type, data, code) in cases)
        {
            var answer = await client.RequestAsync(type, data);
            Assert.True(answer.Type() == "error" && answer.ErrorCode() == code, $"{type} {JsonSerializer.Serialize(data)[..Math.Min(80, JsonSerializer.Serialize(data).Length)]} → {answer}");
        }
        await adaWs.SendRawAsync("""{"type":"chat.send","id":1,"data":"not an object"}""");
        Assert.Equal("bad_request", (await adaWs.NextAsync(f => f.Type() == "error")).ErrorCode());
        // The connection survived all of it.
        Assert.Equal(1, (await adaWs.OkAsync("chat.messages", new { conversation = c })).GetProperty("messages").GetArrayLength());
    }

    [Fact]
    public async Task Only_participants_subscribe_and_nobody_publishes_raw_on_a_conversation()
    {
        var (ada, bob, eve) = (Users.New("ada"), Users.New("bob"), Users.New("eve"));
        await using var adaWs = await Chat.ConnectAsync(ada);
        await using var eveWs = await Chat.ConnectAsync(eve);
        var c = Id(await adaWs.OkAsync("chat.create", new { participants = new[] { bob } }));

        Assert.Equal("forbidden", (await eveWs.RequestAsync("subscribe", new { channel = $"conversation:{c}" })).ErrorCode());
        Assert.Equal("forbidden", (await eveWs.RequestAsync("subscribe", new { channel = "conversation:not-a-number" })).ErrorCode());
        Assert.Equal("forbidden", (await eveWs.RequestAsync("history", new { channel = $"conversation:{c}" })).ErrorCode());
        Assert.Equal("forbidden", (await eveWs.RequestAsync("typing", new { channel = $"conversation:{c}", is_typing = true })).ErrorCode());
        await adaWs.SubscribeAsync($"conversation:{c}");
        Assert.Equal("forbidden", (await adaWs.RequestAsync("publish", new { channel = $"conversation:{c}", @event = "message", data = new { text = "unsaved" } })).ErrorCode());
        Assert.Equal("forbidden", (await eveWs.RequestAsync("publish", new { channel = $"user:{bob}", @event = "status", data = new { } })).ErrorCode());
    }

    [Fact]
    public async Task Typing_in_a_conversation_reaches_the_other_participants()
    {
        var (ada, bob) = (Users.New("ada"), Users.New("bob"));
        await using var adaWs = await Chat.ConnectAsync(ada, "Ada");
        await using var bobWs = await Chat.ConnectAsync(bob);
        var c = Id(await adaWs.OkAsync("chat.create", new { participants = new[] { bob } }));
        var channel = $"conversation:{c}";
        await bobWs.SubscribeAsync(channel);
        await adaWs.SubscribeAsync(channel);

        await adaWs.OkAsync("typing", new { channel, is_typing = true });
        var typing = await bobWs.NextAsync(f => f.Type() == "typing" && f.Channel() == channel);
        Assert.Equal(ada, typing.GetProperty("data").GetProperty("user").GetString());
        Assert.Equal("Ada", typing.GetProperty("data").GetProperty("name").GetString());
        Assert.True(typing.GetProperty("data").GetProperty("is_typing").GetBoolean());
        // Presence is on: the participants see each other.
        var presence = await bobWs.OkAsync("presence", new { channel });
        Assert.Contains(ada, presence.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_sender_subscribed_to_its_conversation_gets_the_reply_before_its_own_message()
    {
        var (ada, bob) = (Users.New("ada"), Users.New("bob"));
        await using var adaWs = await Chat.ConnectAsync(ada, "Ada");
        var c = Id(await adaWs.OkAsync("chat.create", new { participants = new[] { bob } }));
        var channel = $"conversation:{c}";
        await adaWs.SubscribeAsync(channel);
        for (var i = 0; i < 10; i++)
        {
            await adaWs.SendAsync(new { type = "chat.send", id = 1000 + i, data = new { conversation = c, text = $"m{i}" } });
            var reply = await adaWs.NextAsync(f => f.Type() == "reply" || (f.Type() == "message" && f.Channel() == channel));
            Assert.Equal("reply", reply.Type());
            Assert.Equal(1000 + i, reply.GetProperty("id").GetInt32());
            var message = await adaWs.NextAsync(f => f.Type() == "message" && f.Channel() == channel);
            Assert.Equal(Id(reply.GetProperty("data")), Id(message.GetProperty("data")));
        }
    }

    [Fact]
    public async Task Commands_need_a_signed_in_connection()
    {
        Assert.Equal(401, await WsClient.HandshakeStatusAsync(Chat.Server.WebSocketUri()));
        Assert.Equal(401, await WsClient.HandshakeStatusAsync(Chat.Server.WebSocketUri(TestTokens.For("ada", key: "some-other-key-that-is-long-enough"))));
    }
}

public sealed class ChatCommandSqliteTests(SqliteChat f) : ChatCommandTests(f), IClassFixture<SqliteChat>;

public sealed class ChatCommandPostgresTests(PostgresChat f) : ChatCommandTests(f), IClassFixture<PostgresChat>;
