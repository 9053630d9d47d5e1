using Hubbub.Features.Kit.Declaring;
using Hubbub.Features.Kit.Notifications;
using Hubbub.Features.Kit.Users;
using static Hubbub.Features.Kit.KitJsonContext;

namespace Hubbub.Features.Kit;

/// <summary>
/// The kit's own endpoints, declared like any feature: its options (section <c>Kit</c>), its schema (migrated first),
/// its pruning job (<c>kit.prune</c>, <see cref="Retention.RetentionJob"/>), the user directory under <c>/api/users</c>, the inbox under <c>/api/notifications</c>, and the same inbox and profile
/// writes as WebSocket commands (<c>notifications.list</c>, <c>notifications.read</c>, <c>users.update</c>).
/// </summary>
internal sealed class KitFeature : HubbubFeature
{
    public override string Name => KitSchema.Feature;

    public override void Declare(FeatureBuilder feature)
    {
        // The pruning job's handler also seeds its chain on start (a hosted service, after the migrations).
        feature.Services.AddSingleton<Retention.RetentionJob>();
        feature.Services.AddHostedService(sp => sp.GetRequiredService<Retention.RetentionJob>());
        feature.Services.AddHostedService<NotificationLogMerger>(); // SQLite's notice log, merged in bulk (NotificationLog)
        DeclareApi(feature);
    }

    private static void DeclareApi(FeatureBuilder feature) => feature
        .Options<KitOptions>(KitOptions.Section)
        .OnJob<Retention.RetentionJob>(Retention.RetentionJob.Kind, (s, tx, job, ct) => s.RunAsync(tx, job, ct))
        .Migrations(KitSchema.Declare)
        .Api<KitOptions>("/api/users", o => o.MaxBodyBytes, KitEndpoints.MapUsers)
        .Api<KitOptions>("/api/notifications", o => o.MaxBodyBytes, KitEndpoints.MapNotifications)
        .Command<NotificationService, NotificationQuery, NotificationList>("notifications.list", Default.NotificationQuery, Default.NotificationList,
            (s, me, q, ct) => s.ListAsync(me, q.Unread ?? false, q.Before, q.Limit, ct))
        .Command<NotificationService, MarkReadRequest, UnreadCount>("notifications.read", Default.MarkReadRequest, Default.UnreadCount,
            (s, me, r, ct) => s.MarkReadAsync(me, r, ct))
        .Command<UserDirectory, UpdateProfileRequest, UserProfile>("users.update", Default.UpdateProfileRequest, Default.UserProfile,
            (s, me, r, ct) => s.UpdateAsync(me, r, ct));
}
