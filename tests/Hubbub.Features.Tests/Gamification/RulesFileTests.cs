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

    [Fact]
    public async Task The_rules_file_creates_each_of_its_challenges_once_by_key_and_not_one_that_ended()
    {
        var folder = Directory.CreateTempSubdirectory("hubbub-rules-challenges-");
        try
        {
            var path = Path.Combine(folder.FullName, "rules.json");
            var (starts, ends) = (DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(7));
            await File.WriteAllTextAsync(path, $$"""
                {"challenges": [
                  {"key": "week-of-lessons", "title": "Ten lessons this week", "type": "lesson.finished", "goal": 10,
                   "starts_at": "{{starts:yyyy-MM-ddTHH:mm:ssZ}}", "ends_at": "{{ends:yyyy-MM-ddTHH:mm:ssZ}}"},
                  {"key": "last-year", "title": "Over", "type": "lesson.finished", "goal": 1,
                   "starts_at": "2025-01-01T00:00:00Z", "ends_at": "2025-01-08T00:00:00Z"}]}
                """);
            var settings = new Dictionary<string, string?> { ["Gamification:RulesFile"] = path, ["Hubbub:DataDirectory"] = folder.FullName };
            string id;
            await using (var first = await ChatServer.StartAsync("sqlite", settings))
            {
                using var server = Game.Server(first);
                var challenge = Assert.Single((await server.GetAsync("/api/challenges")).Body.GetProperty("challenges").EnumerateArray());
                Assert.Equal(("week-of-lessons", "Ten lessons this week", "active"), (challenge.Str("key"), challenge.Str("title"), challenge.Str("state")));
                id = challenge.Str("id");
                using var ada = first.Api(Users.New("ada"), "Ada");
                Assert.Equal(System.Net.HttpStatusCode.OK, (await ada.PostRawAsync($"/api/challenges/{id}/join", null)).Status);
            }
            await using (var second = await ChatServer.StartAsync("sqlite", settings))
            {
                using var server = Game.Server(second);
                var challenge = Assert.Single((await server.GetAsync("/api/challenges")).Body.GetProperty("challenges").EnumerateArray());
                Assert.Equal((id, 1L), (challenge.Str("id"), challenge.Long("participant_count"))); // the same one, its participant kept
            }
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task A_challenge_without_a_key_in_the_rules_file_stops_the_start()
    {
        var failure = await Game.FailedStartAsync(
            """{"challenges": [{"title": "T", "type": "t", "goal": 1, "starts_at": "2030-01-01T00:00:00Z", "ends_at": "2030-01-02T00:00:00Z"}]}""");
        Assert.Contains("is invalid: challenges[0]: 'key' is required", failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_scored_board_whose_source_or_operator_the_file_changes_is_kept_as_stored_with_a_warning_naming_it()
    {
        // The API refuses such a change (409 board_has_scores); at start the file's board used to replace it silently,
        // its scores then counted as something else. Now the stored board stays whole and the start says so; a board
        // without scores still takes the file's definition.
        var folder = Directory.CreateTempSubdirectory("hubbub-rules-boards-");
        try
        {
            var path = Path.Combine(folder.FullName, "rules.json");
            var settings = new Dictionary<string, string?> { ["Gamification:RulesFile"] = path, ["Hubbub:DataDirectory"] = folder.FullName };
            await File.WriteAllTextAsync(path, """
                {"leaderboards": [
                  {"key": "km", "name": "Distance", "source": "run.finished:km", "operator": "incr"},
                  {"key": "fresh", "name": "Fresh", "source": "swim.finished", "operator": "incr"}]}
                """);
            var user = Users.New("runner");
            await using (var first = await ChatServer.StartAsync("sqlite", settings))
            {
                using var server = Game.Server(first);
                await server.EventAsync(user, "run.finished", new { km = 5 });
                await server.EventAsync(user, "run.finished", new { km = 3 });
            }
            await File.WriteAllTextAsync(path, """
                {"rules": [{"type": "run.finished", "xp": 10}],
                 "leaderboards": [
                  {"key": "km", "name": "Longest run", "source": "run.finished:km", "operator": "best"},
                  {"key": "fresh", "name": "Fresh swims", "source": "swim.finished", "operator": "set"}]}
                """);
            await using (var second = await ChatServer.StartAsync("sqlite", settings))
            {
                using var server = Game.Server(second);
                var km = (await server.GetAsync("/api/leaderboards")).Body.GetProperty("leaderboards").EnumerateArray().Single(b => b.Str("key") == "km");
                Assert.Equal(("Distance", "run.finished:km", "incr"), (km.Str("name"), km.Str("source"), km.Str("operator")));
                var fresh = (await server.GetAsync("/api/leaderboards")).Body.GetProperty("leaderboards").EnumerateArray().Single(b => b.Str("key") == "fresh");
                Assert.Equal(("Fresh swims", "set"), (fresh.Str("name"), fresh.Str("operator"))); // no scores: replaced
                var warning = Assert.Single(second.Server.Logs, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("leaderboard 'km'", StringComparison.Ordinal));
                Assert.Contains("is kept as stored (source 'run.finished:km', operator 'incr'): the file changes its operator (source 'run.finished:km', operator 'best')",
                    warning, StringComparison.Ordinal);
                Assert.Contains("DELETE /api/leaderboards/km", warning, StringComparison.Ordinal);
                Assert.DoesNotContain(second.Server.Logs, l => l.Contains("leaderboard 'fresh'", StringComparison.Ordinal));

                // The scores go on counting as they did (incr: 5 + 3 + 4), and the rest of the file is in force.
                var answer = await server.EventAsync(user, "run.finished", new { km = 4 });
                Assert.Equal(10, answer.Long("xp"));
                var entry = Assert.Single((await server.GetAsync("/api/leaderboards/km")).Body.GetProperty("entries").EnumerateArray());
                Assert.Equal((user, 12.0), (entry.Str("user"), entry.GetProperty("score").GetDouble()));
            }
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
