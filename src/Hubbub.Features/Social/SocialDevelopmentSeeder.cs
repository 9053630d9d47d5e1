using System.Globalization;
using Hubbub.Core;
using Hubbub.Features.Gamification;
using Hubbub.Features.Kit.Declaring;
using Hubbub.Features.Kit.Users;
using Microsoft.Extensions.Options;

namespace Hubbub.Features.Social;

/// <summary>
/// In Development only (and unless <see cref="SocialOptions.DevelopmentSeed"/> is false), gives a fresh database a few
/// friends and activities when someone picks a user in the console's sign-in picker, so a newcomer sees a living social
/// page at once (and an app or test using the API on a fresh server never meets these users): Alice, Bob and Carol are
/// friends with some posts, a like and a comment, Dave's request waits for Alice, and (when gamification is on) Bob and
/// Carol are in a week's challenge, Bob two workouts into three, so Alice sees a challenge card to join. It goes through the same services
/// as the API (names, outbox, notifications) and runs only when nobody has a friend or a request yet, so it never
/// touches data of someone who already used the feed.
/// </summary>
internal sealed partial class SocialDevelopmentSeeder(
    FriendService friends, ActivityService activities, UserDirectory users, IHostEnvironment environment,
    IOptions<SocialOptions> options, IServiceProvider services, TimeProvider time, ILogger<SocialDevelopmentSeeder> logger) : IDevelopmentSeed, IDisposable
{
    private static readonly HubbubUser Alice = new("alice", "Alice", []);
    private static readonly HubbubUser Bob = new("bob", "Bob", []);
    private static readonly HubbubUser Carol = new("carol", "Carol", []);
    private static readonly HubbubUser Dave = new("dave", "Dave", []);

    private readonly SemaphoreSlim _once = new(1, 1); // two pickers at once: the second finds the seed stored

    public void Dispose() => _once.Dispose();

    public async Task<bool> SeedAsync(CancellationToken cancellationToken)
    {
        if (!environment.IsDevelopment() || !options.Value.DevelopmentSeed)
        {
            return false;
        }
        await _once.WaitAsync(cancellationToken);
        try
        {
            var list = await friends.ListAsync(Alice, null, 1, cancellationToken);
            if (list.Friends.Count + list.Incoming.Count + list.Outgoing.Count > 0)
            {
                return false;
            }
            await StoreAsync(cancellationToken);
            return true;
        }
        finally
        {
            _once.Release();
        }
    }

    private async Task StoreAsync(CancellationToken cancellationToken)
    {
        foreach (var user in new[] { Alice, Bob, Carol, Dave })
        {
            await users.TouchAsync(user, cancellationToken);
        }
        await BefriendAsync(Alice, Bob, cancellationToken);
        await BefriendAsync(Alice, Carol, cancellationToken);
        await BefriendAsync(Bob, Carol, cancellationToken);
        await friends.RequestAsync(Dave, new FriendRequest(Alice.Id), cancellationToken);

        var ride = await activities.PostAsync(Carol, new PostActivityRequest("ride", "Carol rode 42 km along the river", "Windy on the way back.", Id: "seed-ride"), cancellationToken);
        var run = await activities.PostAsync(Bob, new PostActivityRequest("run", "Bob finished a 5 km run", "New personal best: 24:10", Id: "seed-run"), cancellationToken);
        await activities.PostAsync(Alice, new PostActivityRequest("yoga", "Alice did 30 minutes of yoga", Id: "seed-yoga"), cancellationToken);
        await activities.LikeAsync(Alice, new ActivityRequest(run.Id), cancellationToken);
        await activities.LikeAsync(Carol, new ActivityRequest(run.Id), cancellationToken);
        await activities.LikeAsync(Bob, new ActivityRequest(ride.Id), cancellationToken);
        await activities.CommentAsync(Carol, new CommentRequest(run.Id, "Great pace, Bob!"), cancellationToken);
        await SeedChallengeAsync(cancellationToken);
        LogSeeded(logger);
    }

    /// <summary>
    /// A challenge of this week that Bob and Carol joined (their joins become feed cards by social's built-in rule), with
    /// Bob two workouts in: only when the gamification feature is on (social does not need it otherwise).
    /// </summary>
    private async Task SeedChallengeAsync(CancellationToken ct)
    {
        if (services.GetService<ChallengeService>() is not { } challenges || services.GetService<GamificationService>() is not { } game)
        {
            return;
        }
        var now = time.GetUtcNow();
        static string Iso(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var (challenge, _) = await challenges.CreateAsync(
            new ChallengeRequest("Three workouts this week", "workout.completed", null, 3, Iso(now.AddHours(-1)), Iso(now.AddDays(7))), ct);
        await challenges.JoinAsync(Bob, new ChallengeJoinRequest(challenge.Id), ct);
        await challenges.JoinAsync(Carol, new ChallengeJoinRequest(challenge.Id), ct);
        foreach (var (user, id) in new[] { (Bob, "seed-workout-bob-1"), (Bob, "seed-workout-bob-2"), (Carol, "seed-workout-carol-1") })
        {
            await game.PostAsync(new EventRequest(id, user.Id, "workout.completed", null, null), ct);
        }
    }

    private async Task BefriendAsync(HubbubUser one, HubbubUser other, CancellationToken ct)
    {
        await friends.RequestAsync(one, new FriendRequest(other.Id), ct);
        await friends.RequestAsync(other, new FriendRequest(one.Id), ct);
    }

    [LoggerMessage(6403, LogLevel.Information, "Social: Development seed stored (alice, bob, carol are friends; dave asked alice; bob and carol are in a challenge); set Social:DevelopmentSeed=false to skip it")]
    private static partial void LogSeeded(ILogger logger);
}
