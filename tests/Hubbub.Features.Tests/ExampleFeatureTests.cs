using System.Net;
using Hubbub.Features.Tests.Examples;

namespace Hubbub.Features.Tests;

/// <summary>The guide's example feature (docs/features/README.md), added to a real server with one call, works as the guide says.</summary>
public sealed class ExampleFeatureTests
{
    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task The_guides_notes_feature_works_over_rest_and_websocket(string engine)
    {
        await using var chat = await ChatServer.StartAsync(engine, configureServices: s => s.AddHubbubFeature(new NotesFeature()));
        var (ada, bob, board) = (Users.New("ada"), Users.New("bob"), Users.New("board"));
        await using var bobWs = await chat.ConnectAsync(bob);
        await bobWs.SubscribeAsync($"board:{board}");

        using var adaApi = chat.Api(ada);
        var first = await adaApi.PostAsync($"/api/boards/{board}/notes", new { text = "hello", client_id = "n-1" });
        Assert.Equal(HttpStatusCode.Created, first.Status);
        var retry = await adaApi.PostAsync($"/api/boards/{board}/notes", new { text = "hello", client_id = "n-1" });
        Assert.Equal(HttpStatusCode.OK, retry.Status); // the idempotency key: the first answer again
        Assert.Equal(first.Body.GetProperty("id").GetString(), retry.Body.GetProperty("id").GetString());

        var live = await bobWs.NextAsync(f => f.Type() == "note_added");
        Assert.Equal("hello", live.GetProperty("data").GetProperty("text").GetString());
        var viaCommand = await bobWs.OkAsync("note.add", new { board, text = "from bob" });
        Assert.Equal(bob, viaCommand.GetProperty("author").GetString());

        await using var eveWs = await chat.ConnectAsync(Users.New("eve"));
        var joined = await eveWs.SubscribeAsync($"board:{board}");
        Assert.Equal(2, joined.GetProperty("state").GetProperty("notes").GetArrayLength()); // the join state
        Assert.Equal("forbidden", (await eveWs.RequestAsync("publish", new { channel = $"board:{board}", data = new { } })).ErrorCode());
        Assert.Equal("bad_request", (await bobWs.RequestAsync("note.add", new { board })).ErrorCode());
        Assert.Equal(HttpStatusCode.Unauthorized, (await chat.Anonymous().PostAsync($"/api/boards/{board}/notes", new { text = "x" })).Status);
    }
}
