using Hubbub.Features.Gamification.Ranking;
using Hubbub.Features.Kit.Declaring;
using Hubbub.Redis;
using Hubbub.Storage;
using Microsoft.Extensions.Options;

namespace Hubbub.Features.Gamification;

/// <summary>
/// Gamification: options (section <c>Gamification</c>), schema, the <c>leaderboard</c> namespace (top rows as join
/// state) and the <c>challenge</c> namespace, the REST API (events, definitions, leaderboards, profiles), the handler of every domain event, the rules
/// file seeded at start.
/// </summary>
public sealed class GamificationFeature : HubbubFeature
{
    /// <inheritdoc />
    public override string Name => "gamification";

    /// <inheritdoc />
    public override void Declare(FeatureBuilder feature)
    {
        feature
            .Options<GamificationOptions>(GamificationOptions.Section)
            .Migrations(GamificationSchema.Declare)
            .Namespace(sp => BoardChannelRules.Create(sp.GetRequiredService<IDatabase>(), sp.GetRequiredService<IOptions<GamificationOptions>>(),
                sp.GetRequiredService<TimeProvider>()))
            .Namespace(sp => ChallengeChannelRules.Create(sp.GetRequiredService<IDatabase>(), sp.GetRequiredService<TimeProvider>()))
            .Command<ChallengeService, ChallengeJoinRequest, ChallengeView>("challenges.join", ChallengeJsonContext.Default.ChallengeJoinRequest,
                ChallengeJsonContext.Default.ChallengeView, (s, me, r, ct) => s.JoinAsync(me, r, ct))
            .Command<ChallengeService, ChallengeJoinRequest, ChallengeView>("challenges.leave", ChallengeJsonContext.Default.ChallengeJoinRequest,
                ChallengeJsonContext.Default.ChallengeView, (s, me, r, ct) => s.LeaveAsync(me, r, ct))
            .OnJob<ChallengeService>(ChallengeService.EndJob, (_, tx, job, ct) => ChallengeService.EndAsync(tx, job, ct))
            .OnJob<LeaderboardService>(BoardResets.Job, (_, tx, job, ct) => BoardResets.RunAsync(tx, job, ct))
            .Command<ChallengeService, ChallengeJoinRequest, ChallengeView>("challenges.get", ChallengeJsonContext.Default.ChallengeJoinRequest,
                ChallengeJsonContext.Default.ChallengeView, (s, me, r, ct) => s.GetAsync(me, r, ct))
            .OnEveryDomainEvent<GamificationService>(GamificationService.HandlerName, (s, tx, e, ct) => s.HandleDomainEventAsync(tx, e, ct))
            .Api<GamificationOptions>("/api/events", o => o.MaxBodyBytes, GamificationEndpoints.MapEvents)
            .Api<GamificationOptions>("/api/rules", o => o.MaxBodyBytes, GamificationEndpoints.MapRules)
            .Api<GamificationOptions>("/api/achievements", o => o.MaxBodyBytes, GamificationEndpoints.MapAchievements)
            .Api<GamificationOptions>("/api/quests", o => o.MaxBodyBytes, GamificationEndpoints.MapQuests)
            .Api<GamificationOptions>("/api/streaks", o => o.MaxBodyBytes, GamificationEndpoints.MapStreaks)
            .Api<GamificationOptions>("/api/leaderboards", o => o.MaxBodyBytes, GamificationEndpoints.MapLeaderboards)
            .Api<GamificationOptions>("/api/levels", o => o.MaxBodyBytes, LevelEndpoints.Map)
            .Api<GamificationOptions>("/api/users", o => o.MaxBodyBytes, GamificationEndpoints.MapProfiles)
            .Api<GamificationOptions>("/api/challenges", o => o.MaxBodyBytes, ChallengeEndpoints.Map)
            .ConsolePage("gamification", "Progress", "gamification.js");
        var services = feature.Services;
        services.AddSingleton<LevelCurveSource>();
        services.AddSingleton<DefinitionService>();
        services.AddSingleton<LeaderboardService>();
        services.AddSingleton<LeaderboardPeriods>();
        // The ranked index: a Redis sorted set shared by the nodes when the host registered Redis, else this node's memory.
        services.AddSingleton<ILeaderboardIndex>(sp => sp.GetService<RedisConnection>() is { } redis
            ? ActivatorUtilities.CreateInstance<RedisLeaderboardIndex>(sp, redis)
            : ActivatorUtilities.CreateInstance<InMemoryLeaderboardIndex>(sp));
        // What each board's channel showed and whose turn it is to publish: in Redis when the nodes share it, so that
        // leaderboard_change is coalesced across them; else in this node's memory (no writes at all).
        services.AddSingleton<ILeaderboardLiveState>(sp => sp.GetService<RedisConnection>() is { } redis
            ? ActivatorUtilities.CreateInstance<RedisLeaderboardLiveState>(sp, redis)
            : new InMemoryLeaderboardLiveState());
        services.AddSingleton<LeaderboardLive>();
        services.AddSingleton<DefinitionCache>();
        services.AddSingleton<UncommittedScores>();
        services.AddSingleton<EventProcessor>();
        services.AddSingleton<ReachedClock>();
        services.AddSingleton<GamificationService>();
        services.AddSingleton<ChallengeService>();
        services.AddHostedService<RulesFileSeeder>();
        services.AddHostedService<BoardResetScheduler>(); // after the seeder: the file's boards are scheduled by their store

    }
}
