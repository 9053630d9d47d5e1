using System.Net;
using System.Text.Json;
using static Hubbub.Features.Tests.Learning.Progress;

namespace Hubbub.Features.Tests.Learning;

public sealed class HostileInputSqliteTests(SqliteLearning fixture) : HostileInputTests(fixture), IClassFixture<SqliteLearning>;

public sealed class HostileInputPostgresTests(PostgresLearning fixture) : HostileInputTests(fixture), IClassFixture<PostgresLearning>;

/// <summary>Definitions that make no sense, malformed and oversized bodies, unknown ids, and callers without the right.</summary>
public abstract class HostileInputTests(LearningFixture fixture)
{
    private static object Task(string key) => new { key, title = "T " + key, xp = 5 };

    public static TheoryData<string, object, string> BadDefinitions => new()
    {
        { "no modules", new { title = "x", modules = Array.Empty<object>() }, "no_modules" },
        { "modules missing", new { title = "x" }, "no_modules" },
        { "empty module", new { title = "x", modules = new[] { new { key = "m", title = "M", tasks = Array.Empty<object>() } } }, "empty_module" },
        { "duplicate module key", new { title = "x", modules = new[] { new { key = "m", title = "M", tasks = new[] { Task("a") } }, new { key = "m", title = "M", tasks = new[] { Task("b") } } } }, "duplicate_key" },
        { "duplicate task key across modules", new { title = "x", modules = new[] { new { key = "m", title = "M", tasks = new[] { Task("a") } }, new { key = "n", title = "N", tasks = new[] { Task("a") } } } }, "duplicate_key" },
        { "unknown prerequisite", new { title = "x", modules = new[] { new { key = "m", title = "M", prerequisites = new[] { "ghost" }, tasks = new[] { Task("a") } } } }, "unknown_prerequisite" },
        { "self prerequisite", new { title = "x", modules = new[] { new { key = "m", title = "M", prerequisites = new[] { "m" }, tasks = new[] { Task("a") } } } }, "cyclic_prerequisites" },
        { "cycle of three", new { title = "x", modules = new[]
            {
                new { key = "a", title = "A", prerequisites = new[] { "c" }, tasks = new[] { Task("t1") } },
                new { key = "b", title = "B", prerequisites = new[] { "a" }, tasks = new[] { Task("t2") } },
                new { key = "c", title = "C", prerequisites = new[] { "b" }, tasks = new[] { Task("t3") } },
            } }, "cyclic_prerequisites" },
        { "key with a slash", new { title = "x", modules = new[] { new { key = "m/1", title = "M", tasks = new[] { Task("a") } } } }, "invalid_key" },
        { "empty task key", new { title = "x", modules = new[] { new { key = "m", title = "M", tasks = new[] { Task("") } } } }, "invalid_key" },
        { "missing title", new { modules = new[] { new { key = "m", title = "M", tasks = new[] { Task("a") } } } }, "missing_title" },
        { "blank module title", new { title = "x", modules = new[] { new { key = "m", title = "  ", tasks = new[] { Task("a") } } } }, "missing_title" },
        { "negative xp", new { title = "x", modules = new[] { new { key = "m", title = "M", tasks = new[] { new { key = "a", title = "A", xp = -1 } } } } }, "invalid_xp" },
        { "negative pass mark", new { title = "x", modules = new[] { new { key = "m", title = "M", tasks = new[] { new { key = "a", title = "A", pass_mark = -5.0 } } } } }, "invalid_pass_mark" },
    };

    [Theory]
    [MemberData(nameof(BadDefinitions))]
    public async Task A_definition_that_makes_no_sense_is_refused_with_its_reason(string what, object body, string reason)
    {
        using var server = fixture.Server();
        var answer = await server.PostAsync("/api/courses", body);
        Assert.True(answer.Status == HttpStatusCode.BadRequest, $"{what}: {answer}");
        Assert.Equal("bad_request", answer.Code);
        Assert.Equal(reason, answer.Reason());
        Assert.False(string.IsNullOrWhiteSpace(answer.Body.GetProperty("message").GetString()));
    }

    [Fact]
    public async Task Oversized_definitions_and_bodies_are_too_large()
    {
        using var server = fixture.Server();
        var manyModules = Enumerable.Range(0, 51).Select(i => Module($"m{i}", [$"t{i}"])).ToArray();
        var manyTasks = new[] { Module("m", Enumerable.Range(0, 101).Select(i => $"t{i}").ToArray()) };
        var longTitle = new { title = new string('x', 201), modules = new[] { Module("m", ["t"]) } };
        foreach (var body in new object[] { new { title = "x", modules = manyModules }, new { title = "x", modules = manyTasks }, longTitle })
        {
            var answer = await server.PostAsync("/api/courses", body);
            Assert.True(answer.Status == HttpStatusCode.RequestEntityTooLarge, answer.ToString());
            Assert.Equal("too_large", answer.Code);
        }
        var huge = await server.SendAsync(HttpMethod.Post, "/api/courses", $"{{\"title\":\"{new string('x', 300 * 1024)}\"}}");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, huge.Status);
    }

    [Fact]
    public async Task Malformed_bodies_are_bad_requests_and_store_nothing()
    {
        using var server = fixture.Server();
        foreach (var json in new[] { "", "{", "[]", "null", "{\"title\":5,\"modules\":[]}", "{\"title\":\"x\",\"modules\":[null]}",
                     "{\"title\":\"x\",\"modules\":[{\"key\":\"m\",\"title\":\"M\",\"tasks\":[null]}]}", "{\"title\":\"x\",\"modules\":\"m\"}",
                     "{\"title\":\"x\\u0000y\",\"modules\":[{\"key\":\"m\",\"title\":\"M\",\"tasks\":[{\"key\":\"t\",\"title\":\"T\"}]}]}" })
        {
            var answer = await server.SendAsync(HttpMethod.Post, "/api/courses", json);
            Assert.True(answer.Status == HttpStatusCode.BadRequest, $"{json}: {answer}");
            Assert.Equal("bad_request", answer.Code);
        }
        var course = await fixture.CreateCourseAsync(new[] { Module("m", ["t"]) });
        var user = Users.New("kim");
        foreach (var json in new[] { "{", "{\"score\":\"high\"}", "{\"score\":-1}", "{\"score\":1e300}", "[1]" })
        {
            var answer = await server.SendAsync(HttpMethod.Post, $"/api/courses/{course}/tasks/t/complete?user={user}", json);
            Assert.True(answer.Status == HttpStatusCode.BadRequest, $"{json}: {answer}");
        }
        Assert.Equal(0, await fixture.CompletionsAsync(course, user));
    }

    [Fact]
    public async Task Unknown_ids_are_not_found()
    {
        var course = await fixture.CreateCourseAsync(new[] { Module("m", ["t"]) });
        using var api = fixture.As(Users.New("lee"));
        using var server = fixture.Server();
        var ghost = "no-such-course";
        foreach (var answer in new[]
                 {
                     await api.GetAsync($"/api/courses/{ghost}"),
                     await api.GetAsync($"/api/courses/{ghost}/progress"),
                     await api.PostAsync($"/api/courses/{ghost}/enroll", new { }),
                     await api.PostAsync($"/api/courses/{ghost}/tasks/t/complete", new { }),
                     await api.PostAsync($"/api/courses/{course}/tasks/ghost/complete", new { }),
                     await server.GetAsync($"/api/courses/{ghost}/learners"),
                     await server.PostAsync($"/api/courses/{ghost}/publish", new { }),
                     await server.PostAsync($"/api/courses/{ghost}/archive", new { }),
                     await server.SendAsync(HttpMethod.Put, $"/api/courses/{ghost}", JsonSerializer.Serialize(new { title = "x", modules = new[] { Module("m", ["t"]) } })),
                     await server.PostAsync($"/api/courses/{course}/rooms", new { room = "no-such-room" }),
                     await api.PostAsync($"/api/courses/{course}/enroll", new { room = "no-such-room" }),
                 })
        {
            Assert.True(answer.Status == HttpStatusCode.NotFound, answer.ToString());
            Assert.Equal("not_found", answer.Code);
        }
        Assert.Equal(HttpStatusCode.BadRequest, (await api.GetAsync("/api/courses/bad%20id/progress")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await api.GetAsync("/api/courses?limit=0")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await api.GetAsync("/api/courses?cursor=junk")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await api.GetAsync("/api/courses?state=lost")).Status);
    }

    [Fact]
    public async Task Definitions_are_the_server_s_and_admins_alone_and_nothing_answers_without_credentials()
    {
        var course = await fixture.CreateCourseAsync(new[] { Module("m", ["t"]) });
        var definition = JsonSerializer.Serialize(new { title = "mine", modules = new[] { Module("m", ["t"]) } });
        using var user = fixture.As(Users.New("mo"));
        foreach (var (method, path) in new[] { (HttpMethod.Post, "/api/courses"), (HttpMethod.Put, $"/api/courses/{course}"),
                     (HttpMethod.Post, $"/api/courses/{course}/publish"), (HttpMethod.Post, $"/api/courses/{course}/archive") })
        {
            var answer = await user.SendAsync(method, path, definition);
            Assert.True(answer.Status == HttpStatusCode.Forbidden, $"{path}: {answer}");
            Assert.Equal("forbidden", answer.Code);
        }
        using var admin = fixture.As(Users.New("root"), roles: ["admin"]);
        var byAdmin = await admin.SendAsync(HttpMethod.Post, "/api/courses", definition);
        Assert.Equal(HttpStatusCode.Created, byAdmin.Status);
        Assert.Equal("published", byAdmin.Body.GetProperty("state").GetString());
        Assert.Equal(1, byAdmin.Body.GetProperty("version").GetInt32());

        // Acting for another user is the server's and admins' too.
        var forOther = await user.PostAsync($"/api/courses/{course}/tasks/t/complete", new { user = Users.New("victim") });
        Assert.Equal(HttpStatusCode.Forbidden, forOther.Status);

        using var nobody = fixture.Anonymous();
        foreach (var (method, path) in new[]
                 {
                     (HttpMethod.Post, "/api/courses"), (HttpMethod.Get, "/api/courses"), (HttpMethod.Get, $"/api/courses/{course}"),
                     (HttpMethod.Put, $"/api/courses/{course}"), (HttpMethod.Post, $"/api/courses/{course}/publish"),
                     (HttpMethod.Post, $"/api/courses/{course}/archive"), (HttpMethod.Post, $"/api/courses/{course}/enroll"),
                     (HttpMethod.Get, $"/api/courses/{course}/progress"), (HttpMethod.Post, $"/api/courses/{course}/tasks/t/complete"),
                     (HttpMethod.Get, $"/api/courses/{course}/learners"), (HttpMethod.Post, $"/api/courses/{course}/rooms"),
                     (HttpMethod.Get, $"/api/courses/{course}/rooms"),
                 })
        {
            var answer = await nobody.SendAsync(method, path, method == HttpMethod.Get ? null : definition);
            Assert.True(answer.Status == HttpStatusCode.Unauthorized, $"{method} {path}: {answer}");
            Assert.Equal("unauthorized", answer.Code);
        }
        using var server = fixture.Server();
        Assert.Equal(HttpStatusCode.BadRequest, (await server.GetAsync($"/api/courses/{course}/progress")).Status); // names nobody
    }

    [Fact]
    public async Task A_taken_course_id_is_a_conflict()
    {
        var course = await fixture.CreateCourseAsync(new[] { Module("m", ["t"]) });
        using var server = fixture.Server();
        var again = await server.PostAsync("/api/courses", new { id = course, title = "x", modules = new[] { Module("m", ["t"]) } });
        Assert.Equal(HttpStatusCode.Conflict, again.Status);
        Assert.Equal("course_exists", again.Reason());
    }

    [Fact]
    public async Task Commands_refuse_bad_data_as_rest_does()
    {
        var course = await fixture.CreateCourseAsync(new[] { Module("m1", ["t1"]), Module("m2", ["t2"], prerequisites: ["m1"]) });
        var nia = Users.New("nia");
        await using var ws = await fixture.Chat.ConnectAsync(nia);
        foreach (var (data, code, reason) in new (object?, string, string?)[]
                 {
                     (null, "bad_request", "invalid_key"),
                     (new { course }, "bad_request", "invalid_key"),
                     (new { course, task = "t1", score = "x" }, "bad_request", null),
                     (new { course = "ghost", task = "t1" }, "not_found", null),
                     (new { course, task = "t2" }, "conflict", "module_locked"),
                     (new { course, task = "t1", user = Users.New("other") }, "forbidden", null),
                 })
        {
            var answer = await ws.RequestAsync("learning.complete", data);
            Assert.True(answer.GetProperty("type").GetString() == "error", answer.ToString());
            Assert.Equal(code, answer.GetProperty("data").GetProperty("code").GetString());
            if (reason is not null)
            {
                Assert.Equal(reason, answer.GetProperty("data").GetProperty("reason").GetString());
            }
        }
        Assert.Equal(0, await fixture.CompletionsAsync(course, nia));
        var ok = await ws.OkAsync("learning.complete", new { course, task = "t1" });
        Assert.Equal(50, ok.GetProperty("percent").GetInt32());
    }

    [Fact]
    public async Task The_OpenAPI_document_describes_the_learning_endpoints()
    {
        using var anonymous = fixture.Anonymous();
        var doc = await anonymous.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, doc.Status);
        var paths = doc.Body.GetProperty("paths");
        foreach (var path in new[] { "/api/courses", "/api/courses/{id}", "/api/courses/{id}/publish", "/api/courses/{id}/archive",
                     "/api/courses/{id}/enroll", "/api/courses/{id}/progress", "/api/courses/{id}/tasks/{key}/complete",
                     "/api/courses/{id}/learners", "/api/courses/{id}/rooms" })
        {
            Assert.True(paths.TryGetProperty(path, out _), $"missing {path}");
        }
        Assert.Contains("\"pass_mark\"", doc.Body.GetRawText(), StringComparison.Ordinal);
    }
}
