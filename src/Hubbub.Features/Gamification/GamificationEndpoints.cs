using System.Text.Json.Serialization.Metadata;
using Hubbub.Features.Kit.Declaring;
using Hubbub.Features.Kit.Http;
using Hubbub.Features.Kit.Text;
using static Hubbub.Features.Gamification.GamificationJsonContext;

namespace Hubbub.Features.Gamification;

/// <summary>
/// The gamification REST API: <c>/api/events</c>, the definitions (<c>/api/rules</c>, <c>/api/achievements</c>,
/// <c>/api/quests</c>, <c>/api/streaks</c>, <c>/api/leaderboards</c>: POST 201, GET list, PUT and DELETE by key),
/// leaderboard reads and <c>/api/users/{id}/profile</c>. Writes are server/admin only.
/// </summary>
internal static class GamificationEndpoints
{
    /// <summary>The path or query value that names the caller.</summary>
    internal const string Me = UserIds.Caller;

    public static void MapEvents(RouteGroupBuilder events) =>
        events.MapPost("/", PostEventsAsync).WithName("PostEvents")
            .WithSummary("Process one event {id,user,type,data?,time?} or a batch {events:[…]} (server/admin); idempotent by id")
            .Accepts<EventRequest>("application/json").Produces<EventAnswer>().Produces<BatchAnswer>().Errors(400, 401, 403, 413);

    public static void MapRules(RouteGroupBuilder group) => MapDefinitions(group, "Rule", DefinitionService.Rules, Default.XpRuleRequest,
        (s, ct) => s.ListAsync(DefinitionService.Rules, ct), (list, next) => new XpRuleList(list, next), Default.XpRuleList);

    public static void MapQuests(RouteGroupBuilder group) => MapDefinitions(group, "Quest", DefinitionService.Quests, Default.QuestRequest,
        (s, ct) => s.ListAsync(DefinitionService.Quests, ct), (list, next) => new QuestList(list, next), Default.QuestList);

    public static void MapStreaks(RouteGroupBuilder group) => MapDefinitions(group, "Streak", DefinitionService.Streaks, Default.StreakRequest,
        (s, ct) => s.ListAsync(DefinitionService.Streaks, ct), (list, next) => new StreakList(list, next), Default.StreakList);

    public static void MapAchievements(RouteGroupBuilder group)
    {
        MapWrites(group, "Achievement", DefinitionService.Achievements, Default.AchievementRequest);
        group.MapGet("/", ListAchievementsAsync).WithName("ListAchievements")
            .WithSummary("Achievements with unlocked_percent and whether I hold each; hidden ones only to holders, admins and the server")
            .Produces<AchievementList>().Errors(400, 401, 403);
    }

    public static void MapLeaderboards(RouteGroupBuilder group)
    {
        MapDefinitions(group, "Leaderboard", DefinitionService.Leaderboards, Default.LeaderboardRequest,
            (s, ct) => s.ListAsync(DefinitionService.Leaderboards, ct), (list, next) => new LeaderboardList(list, next), Default.LeaderboardList);
        group.MapGet("/{key}", TopAsync).WithName("GetLeaderboard")
            .WithSummary("A page of rows (?limit=1..100, default 10; ?cursor=next_cursor) of the current period, or of ?period=").Produces<LeaderboardPage>().Errors(400, 401, 404);
        group.MapGet("/{key}/around/{user}", AroundAsync).WithName("GetLeaderboardAround")
            .WithSummary("A user's row ('me' for mine) with ?limit= rows (default 5, at most 50) on each side").Produces<LeaderboardPage>()
            .Errors(400, 401, 404);
        group.MapGet("/{key}/friends", FriendsAsync).WithName("GetLeaderboardAmongFriends")
            .WithSummary("The board among me and my friends (a server names ?user=): a page of ?limit= rows (default 10, at most 100; ?cursor=next_cursor), ranked among us")
            .Produces<LeaderboardPage>().Errors(400, 401, 403, 404);
        group.MapGet("/{key}/periods", async (string key, FeatureCall call, LeaderboardPeriods periods) =>
        {
            GamificationAccess.Viewer(call);
            return FeatureCall.Json(await periods.ListAsync(key, call.TextQuery("before"), call.IntQuery("limit"), call.Aborted), Default.BoardPeriodList);
        }).WithName("ListLeaderboardPeriods")
            .WithSummary("The periods the board has scores in, newest first (?limit=1..100, default 20; ?before=next_cursor)")
            .Produces<BoardPeriodList>().Errors(400, 401, 404);
    }

    public static void MapProfiles(RouteGroupBuilder users) =>
        users.MapGet("/{id}/profile", ProfileAsync).WithName("GetGamificationProfile")
            .WithSummary("XP, level, achievements, streaks and quests of a user ('me' for mine)").Produces<ProfileView>().Errors(400, 401);

    private static async Task<IResult> PostEventsAsync(FeatureCall call, GamificationService service)
    {
        GamificationAccess.RequireServerOrAdmin(call);
        var answer = await service.PostAsync(await call.BodyAsync(Default.EventRequest), call.Aborted);
        return answer is BatchAnswer batch ? FeatureCall.Json(batch, Default.BatchAnswer) : FeatureCall.Json((EventAnswer)answer, Default.EventAnswer);
    }

    private static void MapDefinitions<TRequest, TView, TList>(RouteGroupBuilder group, string what, DefinitionKind<TRequest, TView> kind,
        JsonTypeInfo<TRequest> request, Func<DefinitionService, CancellationToken, Task<List<TView>>> list, Func<List<TView>, string?, TList> wrap,
        JsonTypeInfo<TList> listJson) where TRequest : notnull
    {
        MapWrites(group, what, kind, request);
        group.MapGet("/", async (FeatureCall call, DefinitionService service) =>
        {
            GamificationAccess.Viewer(call);
            var (cursor, limit) = (call.PageCursor(), call.IntQuery("limit"));
            var (page, next) = KeyedPage.Of(await list(service, call.Aborted), kind.KeyOf, cursor, limit);
            return FeatureCall.Json(wrap(page, next), listJson);
        }).WithName($"List{what}s").WithSummary($"Every {kind.Name}, by key (?limit= and ?before=next_cursor for pages)").Produces<TList>().Errors(400, 401);
    }

    private static void MapWrites<TRequest, TView>(RouteGroupBuilder group, string what, DefinitionKind<TRequest, TView> kind, JsonTypeInfo<TRequest> request) where TRequest : notnull
    {
        group.MapPost("/", async (FeatureCall call, DefinitionService service) =>
        {
            GamificationAccess.RequireServerOrAdmin(call);
            var created = await service.CreateAsync(kind, await call.BodyAsync(request), call.Aborted);
            return FeatureCall.Json(created, kind.Json, StatusCodes.Status201Created);
        }).WithName($"Create{what}").WithSummary($"Define a {kind.Name} (server/admin); one of a taken key is replaced")
            .Accepts<TRequest>("application/json").Produces<TView>(StatusCodes.Status201Created).Errors(400, 401, 403, 413);
        group.MapPut("/{key}", async (string key, FeatureCall call, DefinitionService service) =>
        {
            GamificationAccess.RequireServerOrAdmin(call);
            var replaced = await service.ReplaceAsync(kind, key, await call.BodyAsync(request), call.Aborted);
            return FeatureCall.Json(replaced, kind.Json);
        }).WithName($"Replace{what}").WithSummary($"Replace a {kind.Name} (server/admin); applies to later events")
            .Accepts<TRequest>("application/json").Produces<TView>().Errors(400, 401, 403, 404, 413);
        group.MapDelete("/{key}", async (string key, FeatureCall call, DefinitionService service) =>
        {
            GamificationAccess.RequireServerOrAdmin(call);
            await service.DeleteAsync(kind, key, call.Aborted);
            return TypedResults.NoContent();
        }).WithName($"Delete{what}").WithSummary($"Remove a {kind.Name} (server/admin); what it gave stays").Produces(StatusCodes.Status204NoContent)
            .Errors(401, 403, 404);
    }

    private static async Task<IResult> ListAchievementsAsync(FeatureCall call, DefinitionService service)
    {
        var (viewer, seesAll) = GamificationAccess.Viewer(call, marksHoldings: true);
        var (cursor, limit) = (call.PageCursor(), call.IntQuery("limit"));
        var all = await service.ListAchievementsAsync(viewer, seesAll, call.Aborted);
        var (page, next) = KeyedPage.Of(all.Achievements, a => a.Key, cursor, limit);
        return FeatureCall.Json(new AchievementList(page, next), Default.AchievementList);
    }

    private static async Task<IResult> TopAsync(string key, FeatureCall call, LeaderboardService boards)
    {
        GamificationAccess.Viewer(call);
        return FeatureCall.Json(await boards.TopAsync(key, call.IntQuery("limit"), Period(call), call.PageCursor("cursor"), call.Aborted), Default.LeaderboardPage);
    }

    private static async Task<IResult> AroundAsync(string key, string user, FeatureCall call, LeaderboardService boards)
    {
        var who = user == Me ? (await call.CallerAsync()).Id : user;
        return FeatureCall.Json(await boards.AroundAsync(key, who, call.IntQuery("limit"), Period(call), call.Aborted), Default.LeaderboardPage);
    }

    private static async Task<IResult> FriendsAsync(string key, FeatureCall call, LeaderboardService boards)
    {
        var me = await call.CallerAsync();
        return FeatureCall.Json(await boards.FriendsAsync(key, me.Id, call.IntQuery("limit"), Period(call), call.PageCursor("cursor"), call.Aborted), Default.LeaderboardPage);
    }

    private static async Task<IResult> ProfileAsync(string id, FeatureCall call, GamificationService service)
    {
        var who = id == Me ? (await call.CallerAsync()).Id : id;
        // Hidden achievements are listed only to those who hold them, admins and the server (as GET /api/achievements does).
        var (viewer, seesAll) = GamificationAccess.Viewer(call);
        return FeatureCall.Json(await service.ProfileAsync(who, showHidden: seesAll || viewer == who, call.Aborted), Default.ProfileView);
    }

    private static string? Period(FeatureCall call) =>
        call.TextQuery("period");
}
