using System.Net;
using System.Text.Json;
using static Hubbub.Features.Tests.Learning.Progress;

namespace Hubbub.Features.Tests.Learning;

public sealed class LiveEventSqliteTests(SqliteLearning fixture) : LiveEventTests(fixture), IClassFixture<SqliteLearning>;

public sealed class LiveEventPostgresTests(PostgresLearning fixture) : LiveEventTests(fixture), IClassFixture<PostgresLearning>;

/// <summary>What a learner hears on <c>user:{id}</c>, what their study group hears on <c>room:{id}</c>, and the inbox.</summary>
public abstract class LiveEventTests(LearningFixture fixture)
{
    private static JsonElement Data(JsonElement frame) => frame.GetProperty("data");

    [Fact]
    public async Task A_learner_hears_progress_module_and_course_completion_on_their_own_channel()
    {
        var course = await fixture.CreateCourseAsync(new[] { Module("intro", ["i1", "i2"]), Module("deep", ["d1"], prerequisites: ["intro"]) });
        var ada = Users.New("ada");
        await using var ws = await fixture.Chat.ConnectAsync(ada, "Ada");
        await ws.SubscribeAsync($"user:{ada}");

        await ws.OkAsync("learning.complete", new { course, task = "i1" });
        var update = await ws.NextAsync(f => f.Type() == "progress_update");
        Assert.Equal($"user:{ada}", update.Channel());
        Assert.Equal(course, Data(update).GetProperty("course").GetString());
        Assert.Equal("intro", Data(update).GetProperty("module").GetString());
        Assert.Equal("i1", Data(update).GetProperty("task").GetString());
        Assert.Equal(33, Data(update).GetProperty("percent").GetInt32());
        Assert.Equal(10, Data(update).GetProperty("xp").GetInt32());

        // A refusal publishes nothing.
        var refused = await ws.RequestAsync("learning.complete", new { course, task = "d1" });
        Assert.Equal("module_locked", refused.GetProperty("data").GetProperty("reason").GetString());
        Assert.Empty(await ws.PendingAfterSyncAsync(f => f.Type() is "progress_update" or "module_completed"));

        await ws.OkAsync("learning.complete", new { course, task = "i2" });
        Assert.Equal(66, Data(await ws.NextAsync(f => f.Type() == "progress_update")).GetProperty("percent").GetInt32());
        var module = await ws.NextAsync(f => f.Type() == "module_completed");
        Assert.Equal("intro", Data(module).GetProperty("module").GetString());
        Assert.Equal(course, Data(module).GetProperty("course").GetString());
        Assert.Equal("module_completed", Data(await ws.NextAsync(f => f.Type() == "notification")).GetProperty("type").GetString());

        var last = await ws.OkAsync("learning.complete", new { course, task = "d1" });
        Assert.Equal(100, last.GetProperty("percent").GetInt32());
        Assert.Equal(100, Data(await ws.NextAsync(f => f.Type() == "progress_update")).GetProperty("percent").GetInt32());
        Assert.Equal("deep", Data(await ws.NextAsync(f => f.Type() == "module_completed")).GetProperty("module").GetString());
        Assert.Equal(course, Data(await ws.NextAsync(f => f.Type() == "course_completed")).GetProperty("course").GetString());

        // Kept for later: the inbox has both kinds.
        using var api = fixture.As(ada);
        var inbox = await api.GetAsync("/api/notifications");
        var types = inbox.Body.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("type").GetString()).ToList();
        Assert.Equal(["course_completed", "module_completed", "module_completed"], types);
        Assert.Equal(1, await fixture.RaisedAsync("course.completed", ada));
        Assert.Equal(2, await fixture.RaisedAsync("module.completed", ada));
        Assert.Equal(3, await fixture.RaisedAsync("task.completed", ada));
    }

    [Fact]
    public async Task A_study_group_sees_each_member_s_progress_on_its_room()
    {
        var course = await fixture.CreateCourseAsync(new[] { Module("m", ["t1", "t2", "t3", "t4"]) });
        var (ada, bob, cy) = (Users.New("ada"), Users.New("bob"), Users.New("cy"));
        using var adaApi = fixture.As(ada, "Ada");
        using var bobApi = fixture.As(bob, "Bob");
        using var cyApi = fixture.As(cy, "Cy");
        // Ada's group, linked to the course by its owner; Bob's group, named by Ada when she enrols.
        var group = (await adaApi.PostAsync("/api/rooms", new { title = "Study group", members = new[] { bob } })).Body.GetProperty("id").GetString()!;
        var pair = (await bobApi.PostAsync("/api/rooms", new { title = "Pair", members = new[] { ada } })).Body.GetProperty("id").GetString()!;
        Assert.Equal(HttpStatusCode.Forbidden, (await bobApi.PostAsync($"/api/courses/{course}/rooms", new { room = group })).Status); // not its owner
        var linked = await adaApi.PostAsync($"/api/courses/{course}/rooms", new { room = group });
        Assert.True(linked.Status == HttpStatusCode.Created, linked.ToString());
        Assert.Equal(HttpStatusCode.OK, (await adaApi.PostAsync($"/api/courses/{course}/rooms", new { room = group })).Status); // again: unchanged
        var rooms = await cyApi.GetAsync($"/api/courses/{course}/rooms");
        Assert.Equal([group], rooms.Body.GetProperty("rooms").EnumerateArray().Select(r => r.GetProperty("room").GetString()!));
        Assert.Equal(HttpStatusCode.Forbidden, (await cyApi.PostAsync($"/api/courses/{course}/enroll", new { room = pair })).Status); // not a member

        await using var bobWs = await fixture.Chat.ConnectAsync(bob, "Bob");
        await bobWs.SubscribeAsync($"room:{group}");
        await bobWs.SubscribeAsync($"room:{pair}");

        var enrolled = await adaApi.PostAsync($"/api/courses/{course}/enroll", new { room = pair });
        Assert.Equal(pair, enrolled.Body.GetProperty("room").GetString());
        var joined = await bobWs.NextAsync(f => f.Type() == "member_progress" && f.Channel() == $"room:{pair}");
        Assert.Equal(ada, Data(joined).GetProperty("user").GetString());
        Assert.Equal(0, Data(joined).GetProperty("percent").GetInt32());

        await adaApi.PostAsync($"/api/courses/{course}/tasks/t1/complete", new { });
        foreach (var room in new[] { group, pair })
        {
            var seen = await bobWs.NextAsync(f => f.Type() == "member_progress" && f.Channel() == $"room:{room}");
            Assert.Equal(ada, Data(seen).GetProperty("user").GetString());
            Assert.Equal("Ada", Data(seen).GetProperty("name").GetString());
            Assert.Equal(course, Data(seen).GetProperty("course").GetString());
            Assert.Equal(25, Data(seen).GetProperty("percent").GetInt32());
            Assert.Equal("m", Data(seen).GetProperty("module").GetString());
        }

        // Cy is in no group: her progress goes to no room. Bob's goes to the linked group he is a member of.
        await cyApi.PostAsync($"/api/courses/{course}/tasks/t1/complete", new { });
        await bobApi.PostAsync($"/api/courses/{course}/tasks/t2/complete", new { });
        var bobs = await bobWs.NextAsync(f => f.Type() == "member_progress" && f.Channel() == $"room:{group}");
        Assert.Equal(bob, Data(bobs).GetProperty("user").GetString());
        Assert.Empty(await bobWs.PendingAfterSyncAsync(f => f.Type() == "member_progress"));

        // A client cannot forge its own progress events: user:{id} takes publications from the server alone.
        var forged = await bobWs.RequestAsync("publish", new { channel = $"user:{bob}", @event = "progress_update", data = new { percent = 100 } });
        Assert.Equal("error", forged.Type());
    }
}
