using System.Net;
using System.Text.Json;
using Hubbub.Messaging.Tests.Infrastructure;
using static Hubbub.Messaging.Tests.ConversationApiTests;

namespace Hubbub.Messaging.Tests;

/// <summary>Messages over REST: send, retry, page, edit, delete, read, with the events each publishes.</summary>
public abstract class MessageApiTests(ChatFixture fixture)
{
    private ChatServer Chat => fixture.Chat;

    [Fact]
    public async Task A_sent_message_is_stored_then_delivered_to_subscribed_participants()
    {
        var (ada, bob) = (Users.New("ada"), Users.New("bob"));
        using var adaApi = Chat.Api(ada, "Ada");
        var c = Id(await adaApi.CreateAsync([bob]));
        await using var bobWs = await Chat.ConnectAsync(bob);
        await bobWs.SubscribeAsync($"conversation:{c}");

        var sent = await adaApi.SendAsync(c, "hello <b>bob</b> & \"friends\" 👋", clientId: "c-1");
        Assert.Equal(c, sent.GetProperty("conversation").GetString());
        Assert.Equal(ada, sent.GetProperty("sender").GetProperty("user").GetString());
        Assert.Equal("Ada", sent.GetProperty("sender").GetProperty("name").GetString());
        Assert.Equal("hello <b>bob</b> & \"friends\" 👋", sent.GetProperty("text").GetString());
        Assert.Equal("c-1", sent.GetProperty("client_id").GetString());
        Assert.Equal(JsonValueKind.Null, sent.GetProperty("edited_at").ValueKind);
        Assert.False(sent.GetProperty("deleted").GetBoolean());

        var delivered = await bobWs.NextAsync(f => f.Type() == "message" && f.Channel() == $"conversation:{c}");
        Assert.Equal(sent.GetRawText(), delivered.GetProperty("data").GetRawText());
        Assert.False(delivered.TryGetProperty("from", out _)); // published by the server, after the commit

        var page = (await adaApi.GetAsync($"/api/conversations/{c}/messages")).Body;
        Assert.Equal(sent.GetRawText(), Assert.Single(page.GetProperty("messages").EnumerateArray()).GetRawText());
        Assert.Equal(JsonValueKind.Null, page.GetProperty("next_cursor").ValueKind);
    }

    [Fact]
    public async Task A_retried_send_with_the_same_client_id_stores_and_announces_one_message()
    {
        var (ada, bob) = (Users.New("ada"), Users.New("bob"));
        using var adaApi = Chat.Api(ada);
        using var bobApi = Chat.Api(bob);
        var c = Id(await adaApi.CreateAsync([bob]));
        await using var bobWs = await Chat.ConnectAsync(bob);
        await bobWs.SubscribeAsync($"conversation:{c}");

        var first = await adaApi.SendAsync(c, "once", clientId: "retry-me");
        var retry = await adaApi.PostAsync($"/api/conversations/{c}/messages", new { text = "once", client_id = "retry-me" });
        Assert.Equal(HttpStatusCode.OK, retry.Status);
        Assert.Equal(first.GetRawText(), retry.Body.GetRawText());
        // Another sender's identical client id is their own message.
        var bobs = await bobApi.SendAsync(c, "mine", clientId: "retry-me");
        Assert.NotEqual(Id(first), Id(bobs));

        Assert.Equal(Id(first), Id((await bobWs.NextAsync(f => f.Type() == "message")).GetProperty("data")));
        Assert.Equal(Id(bobs), Id((await bobWs.NextAsync(f => f.Type() == "message")).GetProperty("data")));
        Assert.Empty(await bobWs.PendingAfterSyncAsync(f => f.Type() == "message"));
        Assert.Equal(2, (await adaApi.GetAsync($"/api/conversations/{c}/messages")).Body.GetProperty("messages").GetArrayLength());
    }

    [Fact]
    public async Task Concurrent_retries_with_one_client_id_store_one_message()
    {
        var (ada, bob) = (Users.New("ada"), Users.New("bob"));
        using var adaApi = Chat.Api(ada);
        var c = Id(await adaApi.CreateAsync([bob]));
        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
            adaApi.PostAsync($"/api/conversations/{c}/messages", new { text = "race", client_id = "same" })));
        Assert.All(answers, a => Assert.True(a.Status is HttpStatusCode.Created or HttpStatusCode.OK, a.ToString()));
        Assert.Single(answers, a => a.Status == HttpStatusCode.Created);
        Assert.Single(answers.Select(a => Id(a.Body)).Distinct());
        Assert.Equal(1, (await adaApi.GetAsync($"/api/conversations/{c}/messages")).Body.GetProperty("messages").GetArrayLength());
    }

    [Fact]
    public async Task Sending_refuses_bad_text_and_strangers()
    {
        var (ada, bob, eve) = (Users.New("ada"), Users.New("bob"), Users.New("eve"));
        using var adaApi = Chat.Api(ada);
        using var eveApi = Chat.Api(eve);
        var c = Id(await adaApi.CreateAsync([bob]));
        var path = $"/api/conversations/{c}/messages";
        var cases = new (string? Body, HttpStatusCode Status, string Code)[]
        {
            (null, HttpStatusCode.BadRequest, "bad_request"),
            ("{", HttpStatusCode.BadRequest, "bad_request"),
            ("{}", HttpStatusCode.BadRequest, "bad_request"),
            ("""{"text":""}""", HttpStatusCode.BadRequest, "bad_request"),
            ("""{"text":"  \n\t "}""", HttpStatusCode.BadRequest, "bad_request"),
            ("""{"text":42}""", HttpStatusCode.BadRequest, "bad_request"),
            ("""{"text":{"$gt":""}}""", HttpStatusCode.BadRequest, "bad_request"),
            ("""{"text":"hi","client_id":""}""", HttpStatusCode.BadRequest, "bad_request"),
            ("""{"text":"hi","client_id":"a\u0000b"}""", HttpStatusCode.BadRequest, "bad_request"),
            ($$"""{"text":"hi","client_id":"{{new string('c', 101)}}"}""", HttpStatusCode.BadRequest, "bad_request"),
            ($$"""{"text":"{{new string('x', 4001)}}"}""", HttpStatusCode.RequestEntityTooLarge, "too_large"),
            ("{\"text\":\"" + new string('x', 100_000) + "\"}", HttpStatusCode.RequestEntityTooLarge, "too_large"),
            ("\"text\"", HttpStatusCode.BadRequest, "bad_request"),
            ("""{"text":"nul \u0000 inside"}""", HttpStatusCode.BadRequest, "bad_request"),
            ("""{"text":"half \ud800 a pair"}""", HttpStatusCode.BadRequest, "bad_request"),
        };
        foreach (var (body, status, code) in cases)
        {
            var answer = await adaApi.PostRawAsync(path, body);
            Assert.True(answer.Status == status && answer.Code == code, $"{body?[..Math.Min(body.Length, 60)]} → {answer}");
        }
        Assert.Equal(HttpStatusCode.Created, (await adaApi.PostAsync(path, new { text = new string('x', 4000) })).Status);
        Assert.Equal("forbidden", (await eveApi.PostAsync(path, new { text = "let me in" })).Code);
        Assert.Equal("forbidden", (await eveApi.GetAsync(path)).Code);
        Assert.Equal("not_found", (await adaApi.PostAsync("/api/conversations/876543210/messages", new { text = "?" })).Code);
        Assert.Equal("not_found", (await adaApi.PostAsync("/api/conversations/'; DROP TABLE chat_messages;--/messages", new { text = "?" })).Code);
        Assert.Equal(1, (await adaApi.GetAsync(path)).Body.GetProperty("messages").GetArrayLength());
    }

    [Fact]
    public async Task Hostile_text_is_stored_and_returned_verbatim()
    {
        var (ada, bob) = (Users.New("ada"), Users.New("bob"));
        using var adaApi = Chat.Api(ada);
        var c = Id(await adaApi.CreateAsync([bob]));
        var hostile = "<img src=x onerror=alert(1)>'); DROP TABLE chat_messages;-- \u202e {{7*7}} ${x}";
        var sent = await adaApi.SendAsync(c, hostile);
        Assert.Equal(hostile, sent.GetProperty("text").GetString());
        var stored = (await adaApi.GetAsync($"/api/conversations/{c}/messages")).Body.GetProperty("messages")[0];
        Assert.Equal(hostile, stored.GetProperty("text").GetString());
    }

    [Fact]
    public async Task History_pages_back_in_time_with_a_cursor()
    {
        var (ada, bob) = (Users.New("ada"), Users.New("bob"));
        using var adaApi = Chat.Api(ada);
        var c = Id(await adaApi.CreateAsync([bob]));
        for (var i = 1; i <= 7; i++)
        {
            await adaApi.SendAsync(c, $"m{i}");
        }
        var texts = new List<List<string>>();
        string? cursor = null;
        for (var guard = 0; guard < 10; guard++)
        {
            var query = cursor is null ? "?limit=3" : $"?limit=3&before={cursor}";
            var page = (await adaApi.GetAsync($"/api/conversations/{c}/messages{query}")).Body;
            texts.Add([.. page.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("text").GetString()!)]);
            if (page.GetProperty("next_cursor").ValueKind == JsonValueKind.Null)
            {
                break;
            }
            cursor = page.GetProperty("next_cursor").GetString();
        }
        Assert.Equal([["m5", "m6", "m7"], ["m2", "m3", "m4"], ["m1"]], texts);

        var all = (await adaApi.GetAsync($"/api/conversations/{c}/messages")).Body;
        Assert.Equal(7, all.GetProperty("messages").GetArrayLength());
        foreach (var bad in new[] { "?limit=0", "?limit=101", "?limit=abc", "?limit=-1", "?before=abc", "?before=-5", "?limit=99999999999" })
        {
            var answer = await adaApi.GetAsync($"/api/conversations/{c}/messages{bad}");
            Assert.True(answer.Status == HttpStatusCode.BadRequest && answer.Code == "bad_request", $"{bad} → {answer}");
        }
        Assert.Equal(HttpStatusCode.OK, (await adaApi.GetAsync($"/api/conversations/{c}/messages?limit=100")).Status);
        // Empty parameters are no parameters (FEATURES.md writes lists as ?before=&limit=): the newest page.
        Assert.Equal(7, (await adaApi.GetAsync($"/api/conversations/{c}/messages?before=&limit=")).Body.GetProperty("messages").GetArrayLength());
    }

    [Fact]
    public async Task Editing_and_deleting_own_messages_publish_events_and_others_are_forbidden()
    {
        var (ada, bob) = (Users.New("ada"), Users.New("bob"));
        using var adaApi = Chat.Api(ada);
        using var bobApi = Chat.Api(bob);
        var c = Id(await adaApi.CreateAsync([bob]));
        await using var bobWs = await Chat.ConnectAsync(bob);
        await bobWs.SubscribeAsync($"conversation:{c}");
        var m = Id(await adaApi.SendAsync(c, "frist"));
        var path = $"/api/conversations/{c}/messages/{m}";

        var edited = await adaApi.PatchAsync(path, new { text = "first" });
        Assert.Equal(HttpStatusCode.OK, edited.Status);
        Assert.Equal("first", edited.Body.GetProperty("text").GetString());
        Assert.EndsWith("Z", edited.Body.GetProperty("edited_at").GetString(), StringComparison.Ordinal);
        var editEvent = await bobWs.NextAsync(f => f.Type() == "message_edited");
        Assert.Equal(edited.Body.GetRawText(), editEvent.GetProperty("data").GetRawText());

        Assert.Equal("forbidden", (await bobApi.PatchAsync(path, new { text = "pwned" })).Code);
        Assert.Equal("forbidden", (await bobApi.DeleteAsync(path)).Code);
        Assert.Equal("bad_request", (await adaApi.PatchAsync(path, new { text = " " })).Code);
        Assert.Equal("too_large", (await adaApi.PatchAsync(path, new { text = new string('y', 4001) })).Code);
        Assert.Equal("not_found", (await adaApi.PatchAsync($"/api/conversations/{c}/messages/77777777", new { text = "x" })).Code);
        Assert.Equal("not_found", (await adaApi.DeleteAsync($"/api/conversations/{c}/messages/nope")).Code);

        var deleted = await adaApi.DeleteAsync(path);
        Assert.Equal(HttpStatusCode.OK, deleted.Status);
        Assert.True(deleted.Body.GetProperty("deleted").GetBoolean());
        Assert.Equal("", deleted.Body.GetProperty("text").GetString());
        Assert.Equal(m, Id(deleted.Body));
        Assert.Equal(ada, deleted.Body.GetProperty("sender").GetProperty("user").GetString());
        var deleteEvent = await bobWs.NextAsync(f => f.Type() == "message_deleted");
        Assert.Equal(deleted.Body.GetRawText(), deleteEvent.GetProperty("data").GetRawText());

        Assert.Equal("conflict", (await adaApi.PatchAsync(path, new { text = "back" })).Code);
        Assert.Equal(HttpStatusCode.OK, (await adaApi.DeleteAsync(path)).Status); // deleting twice changes nothing
        Assert.Empty(await bobWs.PendingAfterSyncAsync(f => f.Type() == "message_deleted"));
        var stored = (await bobApi.GetAsync($"/api/conversations/{c}/messages")).Body.GetProperty("messages")[0];
        Assert.Equal(deleted.Body.GetRawText(), stored.GetRawText());
        // A message is found only in its own conversation.
        var other = Id(await adaApi.CreateAsync([Users.New("cy")]));
        Assert.Equal("not_found", (await adaApi.DeleteAsync($"/api/conversations/{other}/messages/{m}")).Code);
    }

    [Fact]
    public async Task Read_receipts_move_forward_clear_unread_and_are_announced()
    {
        var (ada, bob, eve) = (Users.New("ada"), Users.New("bob"), Users.New("eve"));
        using var adaApi = Chat.Api(ada);
        using var bobApi = Chat.Api(bob);
        using var eveApi = Chat.Api(eve);
        var c = Id(await adaApi.CreateAsync([bob]));
        await using var adaWs = await Chat.ConnectAsync(ada);
        await adaWs.SubscribeAsync($"conversation:{c}");
        var m1 = Id(await adaApi.SendAsync(c, "one"));
        var m2 = Id(await adaApi.SendAsync(c, "two"));
        Assert.Equal(2, (await bobApi.GetAsync($"/api/conversations/{c}")).Body.GetProperty("unread_count").GetInt64());

        var read = await bobApi.PostAsync($"/api/conversations/{c}/read", new { message_id = m1 });
        Assert.Equal(HttpStatusCode.OK, read.Status);
        Assert.Equal(bob, read.Body.GetProperty("user").GetString());
        Assert.Equal(m1, read.Body.GetProperty("message_id").GetString());
        var receipt = await adaWs.NextAsync(f => f.Type() == "read");
        Assert.Equal(read.Body.GetRawText(), receipt.GetProperty("data").GetRawText());
        Assert.Equal(1, (await bobApi.GetAsync($"/api/conversations/{c}")).Body.GetProperty("unread_count").GetInt64());

        await bobApi.PostAsync($"/api/conversations/{c}/read", new { message_id = m2 });
        Assert.Equal(m2, (await adaWs.NextAsync(f => f.Type() == "read")).GetProperty("data").GetProperty("message_id").GetString());
        Assert.Equal(0, (await bobApi.GetAsync($"/api/conversations/{c}")).Body.GetProperty("unread_count").GetInt64());
        // Reading an older message again does not move the marker back, nor announce anything; the answer says where it stands.
        var older = await bobApi.PostAsync($"/api/conversations/{c}/read", new { message_id = m1 });
        Assert.Equal((HttpStatusCode.OK, m2), (older.Status, older.Body.GetProperty("message_id").GetString()));
        Assert.Empty(await adaWs.PendingAfterSyncAsync(f => f.Type() == "read"));
        Assert.Equal(0, (await bobApi.GetAsync($"/api/conversations/{c}")).Body.GetProperty("unread_count").GetInt64());

        Assert.Equal("forbidden", (await eveApi.PostAsync($"/api/conversations/{c}/read", new { message_id = m1 })).Code);
        Assert.Equal("not_found", (await bobApi.PostAsync($"/api/conversations/{c}/read", new { message_id = "5555555" })).Code);
        Assert.Equal("bad_request", (await bobApi.PostRawAsync($"/api/conversations/{c}/read", "{}")).Code);
        Assert.Equal("bad_request", (await bobApi.PostRawAsync($"/api/conversations/{c}/read", """{"message_id":7}""")).Code);
    }
}

public sealed class MessageApiSqliteTests(SqliteChat f) : MessageApiTests(f), IClassFixture<SqliteChat>;

public sealed class MessageApiPostgresTests(PostgresChat f) : MessageApiTests(f), IClassFixture<PostgresChat>;
