using Hubbub.Storage.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Hubbub.Storage.Tests.Examples;

/// <summary>The docs/storage.md example, run against both engines.</summary>
public sealed class NotesFeatureTests
{
    [Theory]
    [MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task The_documented_feature_migrates_and_stores_notes(string engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000));
        await using var node = new StorageNode(db, services =>
        {
            services.AddSingleton<TimeProvider>(clock);
            services.AddNotes();
        });
        var report = await node.Migrations.ApplyAsync();
        Assert.Equal(["notes/1 notes", "notes/2 notes by channel"], report.Applied.Select(a => a.Migration.ToString()));

        var notes = node.Services.GetRequiredService<NoteService>();
        var first = await notes.AddAsync("room:1", "alice", "hello");
        clock.Advance(TimeSpan.FromSeconds(1));
        var second = await notes.AddAsync("room:1", "bob", "hi alice");
        await notes.AddAsync("room:2", "carol", "elsewhere");

        Assert.Equal(new Note(first.Id, "room:1", "alice", "hello", 1_700_000_000_000), first);
        Assert.Equal([second, first], await notes.LatestAsync("room:1", 10));
        Assert.False(await notes.DeleteAsync(first.Id, "bob"));
        Assert.True(await notes.DeleteAsync(first.Id, "alice"));
        Assert.Equal([second], await notes.LatestAsync("room:1", 10));
    }
}
