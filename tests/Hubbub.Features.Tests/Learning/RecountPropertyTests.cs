using System.Net;
using System.Text.Json;
using CsCheck;

namespace Hubbub.Features.Tests.Learning;

public sealed class RecountPropertySqliteTests(SqliteLearning fixture) : RecountPropertyTests(fixture), IClassFixture<SqliteLearning>;

public sealed class RecountPropertyPostgresTests(PostgresLearning fixture) : RecountPropertyTests(fixture), IClassFixture<PostgresLearning>;

/// <summary>
/// Over random courses (prerequisites, sequential modules) and random sequences of completions and edits, the server
/// agrees with a model at every step: which completions it takes and which it refuses (and why), each module's state,
/// and the percent, which always equals the recount floor(100 × |completed ∩ current tasks| / |current tasks|).
/// </summary>
public abstract class RecountPropertyTests(LearningFixture fixture)
{
    /// <summary>A module: its task count, whether it is sequential, and which earlier modules it requires (bits).</summary>
    private static readonly Gen<(int Tasks, bool Sequential, int Requires)> ModuleGen = Gen.Select(Gen.Int[1, 3], Gen.Bool, Gen.Int[0, 7]);

    /// <summary>A step: mostly completions of some task (by index), now and then an edit (arg picks what changes).</summary>
    private static readonly Gen<(int Kind, int Arg)> StepGen = Gen.Select(Gen.Int[0, 9], Gen.Int[0, 40]);

    [Fact]
    public async Task The_percent_always_equals_a_recount_and_the_states_follow_the_rules() =>
        await Gen.Select(ModuleGen.Array[1, 4], StepGen.Array[1, 18]).SampleAsync(RunAsync, iter: 15, threads: 1);

    private async Task RunAsync((int Tasks, bool Sequential, int Requires)[] shape, (int Kind, int Arg)[] steps)
    {
        var model = new CourseModel(shape);
        var id = "p-" + Guid.NewGuid().ToString("N")[..12];
        var user = Users.New("prop");
        using var server = fixture.Server();
        var created = await server.PostAsync("/api/courses", new { id, title = "Random", modules = model.Definition() });
        Assert.True(created.Status == HttpStatusCode.Created, created.ToString());

        foreach (var (kind, arg) in steps)
        {
            if (kind == 9)
            {
                model.Edit(arg);
                var edited = await server.SendAsync(HttpMethod.Put, $"/api/courses/{id}", JsonSerializer.Serialize(new { title = "Random", modules = model.Definition() }));
                Assert.True(edited.Status == HttpStatusCode.OK, edited.ToString());
            }
            else
            {
                var all = model.AllTasks();
                var task = arg % (all.Count + 1) == all.Count ? "gone-" + arg : all[arg % all.Count]; // sometimes one that is not there
                var expected = model.Expect(task);
                var answer = await server.PostAsync($"/api/courses/{id}/tasks/{task}/complete", new { user });
                Assert.True(expected.Status == answer.Status, $"completing {task}: expected {expected.Status} {expected.Reason}, got {answer}");
                if (expected.Reason is not null)
                {
                    Assert.Equal(expected.Reason, answer.Body.GetProperty("reason").GetString());
                }
                if (answer.Status == HttpStatusCode.OK)
                {
                    model.Completed.Add(task);
                }
            }
            var progress = await server.GetAsync($"/api/courses/{id}/progress?user={user}");
            var total = model.AllTasks().Count;
            var done = model.AllTasks().Count(model.Completed.Contains);
            Assert.Equal(done * 100 / total, progress.Body.GetProperty("percent").GetInt32());
            Assert.Equal(done, progress.Body.GetProperty("completed_tasks").GetInt32());
            Assert.Equal(total, progress.Body.GetProperty("total_tasks").GetInt32());
            Assert.Equal(model.States(), progress.Body.States());
        }
        Assert.Equal(model.Completed.Count, await fixture.CompletionsAsync(id, user)); // one row per completion, never more
        Assert.Equal(model.Completed.Count, await fixture.RaisedAsync("task.completed", user));
    }

    /// <summary>The rules, written again from the docs, over a definition that edits change.</summary>
    private sealed class CourseModel
    {
        private readonly List<(string Key, List<string> Tasks, bool Sequential, List<string> Requires)> _modules = [];
        private int _nextTask;

        public CourseModel((int Tasks, bool Sequential, int Requires)[] shape)
        {
            for (var i = 0; i < shape.Length; i++)
            {
                var requires = Enumerable.Range(0, i).Where(j => (shape[i].Requires & (1 << j)) != 0).Select(j => $"m{j}").ToList();
                _modules.Add(($"m{i}", Enumerable.Range(0, shape[i].Tasks).Select(_ => $"t{_nextTask++}").ToList(), shape[i].Sequential, requires));
            }
        }

        public HashSet<string> Completed { get; } = new(StringComparer.Ordinal);

        public List<string> AllTasks() => _modules.SelectMany(m => m.Tasks).ToList();

        public object[] Definition() => _modules.Select(m => (object)new
        {
            key = m.Key, title = m.Key, sequential = m.Sequential, prerequisites = m.Requires,
            tasks = m.Tasks.Select(t => new { key = t, title = t, xp = 1 }).ToArray(),
        }).ToArray();

        /// <summary>An edit keeps keys: it drops a task (when its module keeps one), adds a task, or flips sequential.</summary>
        public void Edit(int arg)
        {
            var module = _modules[arg % _modules.Count];
            switch (arg % 3)
            {
                case 0 when module.Tasks.Count > 1:
                    module.Tasks.RemoveAt(arg % module.Tasks.Count);
                    break;
                case 2:
                    _modules[arg % _modules.Count] = module with { Sequential = !module.Sequential };
                    break;
                default:
                    module.Tasks.Insert(arg % (module.Tasks.Count + 1), $"t{_nextTask++}");
                    break;
            }
        }

        private bool Done(string module) => _modules.First(m => m.Key == module).Tasks.All(Completed.Contains);

        private bool Locked(string module) => !Done(module) && _modules.First(m => m.Key == module).Requires.Any(r => !Done(r));

        public Dictionary<string, string> States() =>
            _modules.ToDictionary(m => m.Key, m => Done(m.Key) ? "completed" : Locked(m.Key) ? "locked" : "open");

        public (HttpStatusCode Status, string? Reason) Expect(string task)
        {
            var module = _modules.FirstOrDefault(m => m.Tasks.Contains(task));
            if (module.Key is null)
            {
                return (HttpStatusCode.NotFound, null);
            }
            if (Completed.Contains(task))
            {
                return (HttpStatusCode.OK, null);
            }
            if (Locked(module.Key))
            {
                return (HttpStatusCode.Conflict, "module_locked");
            }
            return module.Sequential && module.Tasks.TakeWhile(t => t != task).Any(t => !Completed.Contains(t))
                ? (HttpStatusCode.Conflict, "task_locked")
                : (HttpStatusCode.OK, null);
        }
    }
}
