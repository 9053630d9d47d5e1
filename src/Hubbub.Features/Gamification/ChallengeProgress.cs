using System.Text.Json;
using Hubbub.Features.Kit;
using Hubbub.Features.Kit.Users;
using static Hubbub.Features.Gamification.ChallengeJsonContext;

namespace Hubbub.Features.Gamification;

/// <summary>
/// What an event does to the challenges its user joined: inside the event's transaction (so exactly once, with the
/// rest of its effects), each joined challenge counting the event's type whose window holds the event's time gains 1
/// (or the positive <c>data[field]</c>); <c>challenge_update</c> goes to <c>challenge:{id}</c>, and the first time the
/// goal is reached <c>challenge_completed</c>, a notification and the domain event <c>challenge.completed</c>.
/// </summary>
internal static class ChallengeProgress
{
    public static async Task<List<ChallengeEffect>> AdvanceAsync(FeatureTransaction tx, GameEvent e, Func<JsonElement?, string, double?> numberOf,
        ReachedClock reached, CancellationToken ct)
    {
        var open = await ChallengeStore.OpenForEventAsync(tx, e.User, e.Type, e.Time.ToUnixTimeMilliseconds(), ct);
        if (open.Count == 0)
        {
            return [];
        }
        var name = (await UserStore.FindAsync(tx, e.User, ct))?.Name ?? e.User;
        var effects = new List<ChallengeEffect>(open.Count);
        foreach (var challenge in open)
        {
            double amount = 1;
            if (challenge.Field is { } field)
            {
                if (numberOf(e.Data, field) is not { } value || value <= 0)
                {
                    continue;
                }
                amount = value;
            }
            var id = ChallengeRules.IdOf(challenge.Id);
            var progress = await ChallengeStore.AddProgressAsync(tx, challenge.Id, e.User, amount, reached.ForChallenge(challenge.Id, tx.NowMs), ct);
            var completed = progress.DoneMs is null && progress.Progress >= challenge.Goal
                && await ChallengeStore.CompleteAsync(tx, challenge.Id, e.User, tx.NowMs, ct);
            var channel = ChallengeService.Channel(id);
            await tx.PublishAsync(channel, GamificationEvents.ChallengeUpdate, new ChallengeUpdate(id, e.User, name, progress.Progress, challenge.Goal),
                Default.ChallengeUpdate, ct);
            if (completed)
            {
                await tx.PublishAsync(channel, GamificationEvents.ChallengeCompleted, new ChallengeMember(id, e.User, name), Default.ChallengeMember, ct);
                await tx.NotifyAsync(e.User, GamificationEvents.ChallengeCompleted,
                    new ChallengeCompletedNotice(id, challenge.Title, progress.Progress, challenge.Goal), Default.ChallengeCompletedNotice, ct);
                await tx.RaiseAsync(ChallengeService.Completed, ChallengeService.DomainEventOf(e.User, challenge), ct);
            }
            effects.Add(new ChallengeEffect(id, challenge.Title, progress.Progress, challenge.Goal, completed));
        }
        return effects;
    }
}
