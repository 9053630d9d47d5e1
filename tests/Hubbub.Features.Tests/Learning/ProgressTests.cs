using System.Net;
using System.Text.Json;
using static Hubbub.Features.Tests.Learning.Progress;

namespace Hubbub.Features.Tests.Learning;

public sealed class ProgressSqliteTests(SqliteLearning fixture) : ProgressTests(fixture), IClassFixture<SqliteLearning>;

public sealed class ProgressPostgresTests(PostgresLearning fixture) : ProgressTests(fixture), IClassFixture<PostgresLearning>;

/// <summary>Locks, pass marks, idempotent and concurrent completions, edits during progress, drafts and archives, learners.</summary>
public abstract class ProgressTests(LearningFixture fixture)
{
    [Fact]
    public async Task Empty_cursor_and_state_parameters_read_the_first_page()
    {
        // As FEATURES.md writes lists (?before=&limit=), an empty parameter is none: the first page, no filter, not a 400.
        var course = await fixture.CreateCourseAsync(new[] { Module("only", ["t1"]) });
        var ada = Users.New("ada");
        using var api = fixture.As(ada);
        Assert.Equal(HttpStatusCode.OK, (await api.PostAsync($"/api/courses/{course}/tasks/t1/complete", new { })).Status);
        var courses = await api.GetAsync("/api/courses?state=&cursor=&limit=100");
        Assert.True(courses.Status == HttpStatusCode.OK, courses.ToString());
        using var server = fixture.Server();
        var learners = await server.GetAsync($"/api/courses/{course}/learners?cursor=&limit=10");
        Assert.True(learners.Status == HttpStatusCode.OK, learners.ToString());
        Assert.Equal(ada, Assert.Single(learners.Body.GetProperty("learners").EnumerateArray()).GetProperty("user").GetString());
    }

    [Fact]
    public async Task A_courses_rooms_page_oldest_first_with_next_cursor_and_an_enrolment_needs_no_body()
    {
        // Every list is paged (FEATURES.md "Always"): the rooms linked to a course were one unpaged list.
        var course = await fixture.CreateCourseAsync(new[] { Module("m", ["t1"]) });
        var ada = Users.New("ada");
        using var adaApi = fixture.As(ada, "Ada");
        var rooms = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var room = (await adaApi.PostAsync("/api/rooms", new { title = $"Group {i}" })).Body.GetProperty("id").GetString()!;
            fixture.Clock.Advance(TimeSpan.FromMilliseconds(5));
            Assert.Equal(HttpStatusCode.Created, (await adaApi.PostAsync($"/api/courses/{course}/rooms", new { room })).Status);
            rooms.Add(room);
        }
        var seen = new List<string>();
        var first = await adaApi.GetAsync($"/api/courses/{course}/rooms?limit=2");
        seen.AddRange(first.Body.GetProperty("rooms").EnumerateArray().Select(r => r.GetProperty("room").GetString()!));
        var cursor = Uri.EscapeDataString(first.Body.GetProperty("next_cursor").GetString()!);
        var second = await adaApi.GetAsync($"/api/courses/{course}/rooms?limit=2&cursor={cursor}");
        seen.AddRange(second.Body.GetProperty("rooms").EnumerateArray().Select(r => r.GetProperty("room").GetString()!));
        Assert.Equal(JsonValueKind.Null, second.Body.GetProperty("next_cursor").ValueKind);
        Assert.Equal(rooms, seen);
        var whole = await adaApi.GetAsync($"/api/courses/{course}/rooms");
        Assert.Equal(rooms, whole.Body.GetProperty("rooms").EnumerateArray().Select(r => r.GetProperty("room").GetString()!));
        Assert.Equal(HttpStatusCode.BadRequest, (await adaApi.GetAsync($"/api/courses/{course}/rooms?limit=0")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await adaApi.GetAsync($"/api/courses/{course}/rooms?cursor=junk")).Status);

        // An enrolment's body is all optional ({"room"?, "user"?}): none at all is {} — for a user and for a server.
        var bob = Users.New("bob");
        using var bobApi = fixture.As(bob);
        var enrolled = await bobApi.SendAsync(HttpMethod.Post, $"/api/courses/{course}/enroll");
        Assert.True(enrolled.Status == HttpStatusCode.OK, enrolled.ToString());
        using var server = fixture.Server();
        var named = await server.SendAsync(HttpMethod.Post, $"/api/courses/{course}/enroll?user={Users.New("cy")}");
        Assert.True(named.Status == HttpStatusCode.OK, named.ToString());
    }

    [Fact]
    public async Task Courses_and_learners_page_with_before_as_every_list_does()
    {
        // FEATURES.md's lists pass next_cursor back as ?before= (feed, ledger, bids, rooms); before, the courses and learners
        // lists knew only ?cursor= and ignored ?before=, so a client paging as everywhere else read the first page forever.
        using var server = fixture.Server();
        var course = await fixture.CreateCourseAsync(new[] { Module("m", ["t1"]) });
        var (ida, jon) = (Users.New("ida"), Users.New("jon"));
        foreach (var learner in new[] { ida, jon })
        {
            fixture.Clock.Advance(TimeSpan.FromSeconds(1));
            Assert.Equal(HttpStatusCode.OK, (await server.PostAsync($"/api/courses/{course}/enroll", new { user = learner })).Status);
        }
        var first = await server.GetAsync($"/api/courses/{course}/learners?limit=1");
        Assert.Equal(jon, first.Body.GetProperty("learners")[0].GetProperty("user").GetString());
        var next = Uri.EscapeDataString(first.Body.GetProperty("next_cursor").GetString()!);
        var second = await server.GetAsync($"/api/courses/{course}/learners?limit=1&before={next}");
        Assert.True(second.Status == HttpStatusCode.OK, second.ToString());
        Assert.Equal(ida, Assert.Single(second.Body.GetProperty("learners").EnumerateArray()).GetProperty("user").GetString());

        fixture.Clock.Advance(TimeSpan.FromSeconds(1)); // newer than any course the class made before
        var newest = await fixture.CreateCourseAsync(new[] { Module("m", ["t1"]) });
        var top = await server.GetAsync("/api/courses?limit=1");
        Assert.Equal(newest, top.Body.GetProperty("courses")[0].GetProperty("id").GetString());
        var older = await server.GetAsync($"/api/courses?limit=1&before={Uri.EscapeDataString(top.Body.GetProperty("next_cursor").GetString()!)}");
        Assert.True(older.Status == HttpStatusCode.OK, older.ToString());
        Assert.NotEqual(newest, older.Body.GetProperty("courses")[0].GetProperty("id").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, (await server.GetAsync("/api/courses?before=junk")).Status);
    }

    [Fact]
    public async Task Prerequisites_lock_a_module_until_each_of_them_is_completed()
    {
        var course = await fixture.CreateCourseAsync(new[]
        {
            Module("basics", ["b1", "b2"]),
            Module("algebra", ["a1"], prerequisites: ["basics"]),
            Module("calculus", ["c1"], prerequisites: ["basics", "algebra"]),
        });
        var ada = Users.New("ada");
        using var api = fixture.As(ada);

        var start = await api.GetAsync($"/api/courses/{course}/progress");
        Assert.Equal(HttpStatusCode.OK, start.Status);
        Assert.Equal(0, start.Percent());
        Assert.False(start.Body.GetProperty("enrolled").GetBoolean());
        Assert.Equal(new() { ["basics"] = "open", ["algebra"] = "locked", ["calculus"] = "locked" }, start.Body.States());

        var refused = await api.PostAsync($"/api/courses/{course}/tasks/a1/complete", new { });
        Assert.Equal(HttpStatusCode.Conflict, refused.Status);
        Assert.Equal("conflict", refused.Code);
        Assert.Equal("module_locked", refused.Reason());
        Assert.Equal(0, await fixture.CompletionsAsync(course, ada)); // a refusal records nothing

        var half = await api.PostAsync($"/api/courses/{course}/tasks/b1/complete", new { });
        Assert.Equal(HttpStatusCode.OK, half.Status);
        Assert.Equal(25, half.Percent());
        Assert.Equal("locked", half.Body.States()["algebra"]); // basics is not completed yet
        var basics = await api.PostAsync($"/api/courses/{course}/tasks/b2/complete", new { });
        Assert.Equal(new() { ["basics"] = "completed", ["algebra"] = "open", ["calculus"] = "locked" }, basics.Body.States());
        Assert.Equal(HttpStatusCode.Conflict, (await api.PostAsync($"/api/courses/{course}/tasks/c1/complete", new { })).Status);

        Assert.Equal(HttpStatusCode.OK, (await api.PostAsync($"/api/courses/{course}/tasks/a1/complete", new { })).Status);
        var done = await api.PostAsync($"/api/courses/{course}/tasks/c1/complete", new { });
        Assert.Equal(100, done.Percent());
        Assert.True(done.Body.GetProperty("completed").GetBoolean());
        Assert.All(done.Body.States().Values, s => Assert.Equal("completed", s));
        var module = done.Body.GetProperty("modules")[0];
        Assert.Equal(2, module.GetProperty("completed_tasks").GetInt32());
        Assert.Equal(2, module.GetProperty("total_tasks").GetInt32());
    }

    [Fact]
    public async Task A_sequential_module_opens_its_tasks_one_after_another()
    {
        var course = await fixture.CreateCourseAsync(new[] { Module("steps", ["s1", "s2", "s3"], sequential: true), Module("free", ["f1", "f2"]) });
        var bob = Users.New("bob");
        using var server = fixture.Server();

        var progress = await server.GetAsync($"/api/courses/{course}/progress?user={bob}");
        Assert.Equal(new() { ["s1"] = "open", ["s2"] = "locked", ["s3"] = "locked", ["f1"] = "open", ["f2"] = "open" }, progress.Body.TaskStates());

        var early = await server.PostAsync($"/api/courses/{course}/tasks/s2/complete", new { user = bob });
        Assert.Equal(HttpStatusCode.Conflict, early.Status);
        Assert.Equal("task_locked", early.Reason());
        Assert.Equal(HttpStatusCode.OK, (await server.PostAsync($"/api/courses/{course}/tasks/f2/complete", new { user = bob })).Status); // not sequential

        Assert.Equal(HttpStatusCode.OK, (await server.PostAsync($"/api/courses/{course}/tasks/s1/complete", new { user = bob })).Status);
        var next = await server.PostAsync($"/api/courses/{course}/tasks/s2/complete", new { user = bob });
        Assert.Equal(HttpStatusCode.OK, next.Status);
        Assert.Equal("open", next.Body.TaskStates()["s3"]);
        Assert.Equal(bob, next.Body.GetProperty("user").GetString());
    }

    [Fact]
    public async Task A_score_below_the_pass_mark_completes_nothing()
    {
        var course = await fixture.CreateCourseAsync(new[] { Module("quiz", ["q1"], passMark: 70) });
        var cy = Users.New("cy");
        using var api = fixture.As(cy);

        var low = await api.PostAsync($"/api/courses/{course}/tasks/q1/complete", new { score = 69.5 });
        Assert.Equal(HttpStatusCode.Conflict, low.Status);
        Assert.Equal("below_pass_mark", low.Reason());
        var none = await api.PostAsync($"/api/courses/{course}/tasks/q1/complete", new { });
        Assert.Equal(HttpStatusCode.BadRequest, none.Status); // a pass mark needs a score
        Assert.Equal(0, await fixture.CompletionsAsync(course, cy));
        Assert.Equal(0, await fixture.RaisedAsync("task.completed", cy));

        var passed = await api.PostAsync($"/api/courses/{course}/tasks/q1/complete", new { score = 70 });
        Assert.Equal(HttpStatusCode.OK, passed.Status);
        Assert.Equal(100, passed.Percent());
        var task = passed.Body.GetProperty("modules")[0].GetProperty("tasks")[0];
        Assert.Equal(70, task.GetProperty("score").GetDouble());
        Assert.Equal(fixture.Clock.GetUtcNow(), task.GetProperty("completed_at").GetDateTimeOffset()); // the fake clock's time
    }

    [Fact]
    public async Task A_retried_completion_is_one_completion_with_one_set_of_events()
    {
        var course = await fixture.CreateCourseAsync(new[] { Module("only", ["t1"]) });
        var dee = Users.New("dee");
        using var api = fixture.As(dee);

        var first = await api.PostAsync($"/api/courses/{course}/tasks/t1/complete", new { score = 90 });
        fixture.Clock.Advance(TimeSpan.FromMinutes(5));
        var again = await api.PostAsync($"/api/courses/{course}/tasks/t1/complete", new { score = 10 });
        Assert.Equal(HttpStatusCode.OK, again.Status);
        Assert.Equal(first.Body.ToString(), again.Body.ToString()); // the same answer: the first completion stands
        Assert.Equal(1, await fixture.CompletionsAsync(course, dee));
        Assert.Equal(1, await fixture.RaisedAsync("task.completed", dee));
        Assert.Equal(1, await fixture.RaisedAsync("module.completed", dee));
        Assert.Equal(1, await fixture.RaisedAsync("course.completed", dee));
    }

    [Fact]
    public async Task Parallel_completions_of_one_task_from_many_requests_and_tabs_are_one_completion()
    {
        var course = await fixture.CreateCourseAsync(new[] { Module("m", ["t1", "t2"]) });
        var eve = Users.New("eve");
        await using var tab1 = await fixture.Chat.ConnectAsync(eve);
        await using var tab2 = await fixture.Chat.ConnectAsync(eve);
        await tab1.SubscribeAsync($"user:{eve}");
        using var server = fixture.Server();

        var rest = Enumerable.Range(0, 8).Select(_ => server.PostAsync($"/api/courses/{course}/tasks/t1/complete", new { user = eve })).ToList();
        var ws = new[] { tab1, tab2 }.Select(t => t.RequestAsync("learning.complete", new { course, task = "t1" })).ToList();
        var answers = await Task.WhenAll(rest);
        var replies = await Task.WhenAll(ws);

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.Status));
        Assert.All(answers, a => Assert.Equal(50, a.Percent()));
        Assert.All(replies, r => Assert.Equal("reply", r.GetProperty("type").GetString()));
        Assert.All(replies, r => Assert.Equal(50, r.GetProperty("data").GetProperty("percent").GetInt32()));
        Assert.Equal(1, await fixture.CompletionsAsync(course, eve));
        Assert.Equal(1, await fixture.RaisedAsync("task.completed", eve));
        var updates = await tab1.PendingAfterSyncAsync(f => f.GetProperty("type").GetString() == "progress_update");
        Assert.Single(updates);
    }

    [Fact]
    public async Task Parallel_completions_of_a_module_s_tasks_complete_it_exactly_once()
    {
        var tasks = Enumerable.Range(1, 8).Select(i => $"t{i}").ToArray();
        var course = await fixture.CreateCourseAsync(new[] { Module("m", tasks) });
        var fay = Users.New("fay");
        using var server = fixture.Server();

        var answers = await Task.WhenAll(tasks.Select(t => server.PostAsync($"/api/courses/{course}/tasks/{t}/complete", new { user = fay })));

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.Status));
        // Completions of one learner run one at a time: each saw the ones before it, so the percents are distinct steps.
        Assert.Equal(Enumerable.Range(1, 8).Select(i => i * 100 / 8), answers.Select(a => a.Percent()).Order());
        Assert.Equal(8, await fixture.RaisedAsync("task.completed", fay));
        Assert.Equal(1, await fixture.RaisedAsync("module.completed", fay));
        Assert.Equal(1, await fixture.RaisedAsync("course.completed", fay));
    }

    [Fact]
    public async Task An_edit_during_progress_keeps_completions_by_task_key_and_recounts_against_the_new_version()
    {
        var course = await fixture.CreateCourseAsync(new[] { Module("m1", ["t1", "t2"]), Module("m2", ["t3", "t4"], prerequisites: ["m1"]) });
        var gil = Users.New("gil");
        using var api = fixture.As(gil);
        using var server = fixture.Server();
        foreach (var t in new[] { "t1", "t2", "t3" })
        {
            Assert.Equal(HttpStatusCode.OK, (await api.PostAsync($"/api/courses/{course}/tasks/{t}/complete", new { })).Status);
        }
        Assert.Equal(75, (await api.GetAsync($"/api/courses/{course}/progress")).Percent());

        // Version 2: t2 removed, t3 moved into m1, t5 added to m2 (m2 now: t4, t5).
        var edit = await server.SendAsync(HttpMethod.Put, $"/api/courses/{course}", JsonSerializer.Serialize(new
        {
            title = "A course, revised",
            modules = new[] { Module("m1", ["t1", "t3"]), Module("m2", ["t4", "t5"], prerequisites: ["m1"]) },
        }));
        Assert.Equal(HttpStatusCode.OK, edit.Status);
        Assert.Equal(2, edit.Body.GetProperty("version").GetInt32());

        var after = await api.GetAsync($"/api/courses/{course}/progress");
        Assert.Equal(2, after.Body.GetProperty("version").GetInt32());
        Assert.Equal(50, after.Percent()); // t1, t3 of t1, t3, t4, t5; the completion of removed t2 is ignored
        Assert.Equal(new() { ["m1"] = "completed", ["m2"] = "open" }, after.Body.States());
        Assert.Equal(2, after.Body.GetProperty("completed_tasks").GetInt32());
        var removed = await api.PostAsync($"/api/courses/{course}/tasks/t2/complete", new { });
        Assert.Equal(HttpStatusCode.NotFound, removed.Status);

        // Version 3 brings t2 back: its completion, kept by key, counts again.
        await server.SendAsync(HttpMethod.Put, $"/api/courses/{course}", JsonSerializer.Serialize(new
        {
            title = "A course",
            modules = new[] { Module("m1", ["t1", "t2", "t3"]), Module("m2", ["t4", "t5"], prerequisites: ["m1"]) },
        }));
        Assert.Equal(60, (await api.GetAsync($"/api/courses/{course}/progress")).Percent());
        // m1 was celebrated in version 1: completing the rest raises module.completed for m2 only, and the course once.
        await api.PostAsync($"/api/courses/{course}/tasks/t4/complete", new { });
        Assert.Equal(100, (await api.PostAsync($"/api/courses/{course}/tasks/t5/complete", new { })).Percent());
        Assert.Equal(2, await fixture.RaisedAsync("module.completed", gil));
        Assert.Equal(1, await fixture.RaisedAsync("course.completed", gil));
    }

    [Fact]
    public async Task Drafts_are_hidden_from_learners_until_published_and_archived_courses_take_no_new_work()
    {
        var course = await fixture.CreateCourseAsync(new[] { Module("m", ["t1", "t2"]) }, draft: true);
        var hal = Users.New("hal");
        using var api = fixture.As(hal);
        using var server = fixture.Server();

        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync($"/api/courses/{course}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await api.PostAsync($"/api/courses/{course}/tasks/t1/complete", new { })).Status);
        Assert.DoesNotContain((await api.GetAsync("/api/courses?limit=100")).Body.GetProperty("courses").EnumerateArray(),
            c => c.GetProperty("id").GetString() == course);
        Assert.Equal("draft", (await server.GetAsync($"/api/courses/{course}")).Body.GetProperty("state").GetString());
        Assert.Contains((await server.GetAsync("/api/courses?state=draft&limit=100")).Body.GetProperty("courses").EnumerateArray(),
            c => c.GetProperty("id").GetString() == course);

        var published = await server.PostAsync($"/api/courses/{course}/publish", new { });
        Assert.Equal("published", published.Body.GetProperty("state").GetString());
        Assert.Equal(HttpStatusCode.OK, (await api.PostAsync($"/api/courses/{course}/enroll", new { })).Status);
        Assert.Equal(HttpStatusCode.OK, (await api.PostAsync($"/api/courses/{course}/tasks/t1/complete", new { })).Status);

        Assert.Equal("archived", (await server.PostAsync($"/api/courses/{course}/archive", new { })).Body.GetProperty("state").GetString());
        var refused = await api.PostAsync($"/api/courses/{course}/tasks/t2/complete", new { });
        Assert.Equal(HttpStatusCode.Conflict, refused.Status);
        Assert.Equal("course_archived", refused.Reason());
        Assert.Equal(50, (await api.GetAsync($"/api/courses/{course}/progress")).Percent()); // still readable
    }

    [Fact]
    public async Task Enrolment_is_idempotent_and_the_owner_an_admin_or_the_server_list_the_learners()
    {
        var owner = Users.New("owner");
        using var server = fixture.Server();
        var id = "c-" + Guid.NewGuid().ToString("N")[..12];
        var created = await server.PostAsync("/api/courses", new { id, title = "Owned", owner, modules = new[] { Module("m", ["t1", "t2"]) } });
        Assert.Equal(owner, created.Body.GetProperty("owner").GetString());
        var (ida, jon) = (Users.New("ida"), Users.New("jon"));
        using var idaApi = fixture.As(ida, "Ida");
        fixture.Clock.Advance(TimeSpan.FromSeconds(1));
        var enrolled = await idaApi.PostAsync($"/api/courses/{id}/enroll", new { });
        Assert.True(enrolled.Body.GetProperty("enrolled").GetBoolean());
        Assert.Null(enrolled.Body.GetProperty("last_activity_at").GetString());
        fixture.Clock.Advance(TimeSpan.FromSeconds(1));
        var again = await idaApi.PostAsync($"/api/courses/{id}/enroll", new { });
        Assert.Equal(enrolled.Body.GetProperty("enrolled_at").GetString(), again.Body.GetProperty("enrolled_at").GetString());
        fixture.Clock.Advance(TimeSpan.FromSeconds(1));
        var done = await server.PostAsync($"/api/courses/{id}/tasks/t1/complete", new { user = jon }); // enrols jon on the way
        Assert.Equal(fixture.Clock.GetUtcNow(), done.Body.GetProperty("last_activity_at").GetDateTimeOffset());

        foreach (var reader in new[] { fixture.As(owner), fixture.Server(), fixture.As(Users.New("root"), roles: ["admin"]) })
        {
            using (reader)
            {
                var list = await reader.GetAsync($"/api/courses/{id}/learners");
                Assert.True(list.Status == HttpStatusCode.OK, list.ToString());
                var learners = list.Body.GetProperty("learners").EnumerateArray().ToList();
                Assert.Equal([jon, ida], learners.Select(l => l.GetProperty("user").GetString()!)); // newest enrolment first
                Assert.Equal("Ida", learners[1].GetProperty("name").GetString());
                Assert.Equal(50, learners[0].GetProperty("progress").GetProperty("percent").GetInt32());
                Assert.False(learners[0].GetProperty("progress").GetProperty("modules")[0].TryGetProperty("tasks", out _));
            }
        }
        var paged = await server.GetAsync($"/api/courses/{id}/learners?limit=1");
        Assert.Single(paged.Body.GetProperty("learners").EnumerateArray());
        var cursor = paged.Body.GetProperty("next_cursor").GetString();
        var rest = await server.GetAsync($"/api/courses/{id}/learners?limit=1&cursor={Uri.EscapeDataString(cursor!)}");
        Assert.Equal(ida, rest.Body.GetProperty("learners")[0].GetProperty("user").GetString());
        Assert.Equal(JsonValueKind.Null, rest.Body.GetProperty("next_cursor").ValueKind);

        Assert.Equal(HttpStatusCode.Forbidden, (await idaApi.GetAsync($"/api/courses/{id}/learners")).Status); // a learner is not the owner
    }
}
