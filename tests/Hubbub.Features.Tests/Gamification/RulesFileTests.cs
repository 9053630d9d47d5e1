namespace Hubbub.Features.Tests.Gamification;

/// <summary><c>Gamification:RulesFile</c>: a valid file is stored when the server starts; an invalid one stops the start with the reason.</summary>
public sealed class RulesFileTests
{
    [Fact]
    public async Task The_definitions_of_the_rules_file_are_stored_at_start_and_used()
    {
        var path = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(path, """
                {"rules": [{"type": "lesson.finished", "xp": 25}],
                 "achievements": [{"key": "two-lessons", "name": "Two lessons", "rarity": "rare", "xp": 5, "type": "lesson.finished", "threshold": 2}],
                 "quests": [{"key": "daily-lesson", "name": "A lesson a day", "period": "daily", "type": "lesson.finished", "count": 1, "xp": 10}],
                 "streaks": [{"key": "study", "name": "Study days", "type": "lesson.finished"}],
                 "leaderboards": [{"key": "xp", "name": "XP", "source": "xp"}]}
                """);
            await using var chat = await ChatServer.StartAsync("sqlite", new() { ["Gamification:RulesFile"] = path });
            using var server = Game.Server(chat);
            var user = Users.New("student");
            await server.EventAsync(user, "lesson.finished");
            var second = await server.EventAsync(user, "lesson.finished");
            Assert.Equal(30, second.Long("xp")); // 25 + the achievement's 5; the daily quest was done by the first
            Assert.Equal(1, second.GetProperty("leaderboards")[0].Long("rank"));
            Assert.Equal(0, second.GetProperty("streaks").GetArrayLength()); // the same day: the streak stays at 1
            Assert.Equal("rare", (await server.GetAsync("/api/achievements")).Body.GetProperty("achievements")[0].Str("rarity"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task An_invalid_rules_file_stops_the_start_naming_the_entry()
    {
        var failure = await Game.FailedStartAsync("""{"achievements": [{"key": "a", "name": "A", "rarity": "mythic", "type": "t", "threshold": 1}]}""");
        Assert.Contains("is invalid: achievements[0]: 'rarity'", failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_rules_file_sets_the_level_curve()
    {
        var path = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(path, """
                {"rules": [{"type": "lesson.finished", "xp": 15}],
                 "levels": {"thresholds": [10, 20, 40]}}
                """);
            await using var chat = await ChatServer.StartAsync("sqlite", new() { ["Gamification:RulesFile"] = path });
            using var server = Game.Server(chat);
            var levels = (await server.GetAsync("/api/levels")).Body;
            Assert.Equal(("stored", 4), (levels.Str("source"), levels.GetProperty("max_level").GetInt32()));
            var user = Users.New("student");
            Assert.Equal(2, (await server.EventAsync(user, "lesson.finished")).GetProperty("level").GetInt32()); // 15 XP
            Assert.Equal(3, (await server.EventAsync(user, "lesson.finished")).GetProperty("level").GetInt32()); // 30 XP
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task A_bad_level_curve_in_the_rules_file_stops_the_start_with_the_reason()
    {
        var failure = await Game.FailedStartAsync("""{"levels": {"thresholds": [100, 50]}}""");
        Assert.Contains("is invalid: levels: 'thresholds'", failure, StringComparison.Ordinal);
    }
}
