using Hubbub.Features.Kit.Declaring;
using Hubbub.Storage;
using Microsoft.Extensions.Options;
using static Hubbub.Features.Social.SocialJsonContext;

namespace Hubbub.Features.Social;

/// <summary>
/// The social feed: options (section <c>Social</c>), schema, the <c>feed</c> namespace (the newest page as join state), the
/// <c>activity</c> namespace (one activity's viewers: its likes, comments, edits, deletion),
/// the <c>social.*</c> commands (the same records and services as the REST API), activities from domain events by rule.
/// </summary>
public sealed class SocialFeature : HubbubFeature
{
    /// <inheritdoc />
    public override string Name => "social";

    /// <inheritdoc />
    public override void Declare(FeatureBuilder feature) => feature
        .Options<SocialOptions>(SocialOptions.Section)
        .Migrations(SocialSchema.Declare)
        .Namespace(sp => FeedChannelRules.Create(sp.GetRequiredService<IDatabase>(), sp.GetRequiredService<IOptions<SocialOptions>>().Value))
        .Namespace(sp => ActivityChannelRules.Create(sp.GetRequiredService<IDatabase>(), sp.GetRequiredService<IOptions<SocialOptions>>().Value))
        .Command<FriendService, FriendRequest, FriendshipAnswer>("social.friend", Default.FriendRequest, Default.FriendshipAnswer, (s, me, r, ct) => s.RequestAsync(me, r, ct))
        .Command<FriendService, FriendRequest, FriendshipAnswer>("social.accept", Default.FriendRequest, Default.FriendshipAnswer, (s, me, r, ct) => s.AcceptAsync(me, r, ct))
        .Command<FriendService, FriendRequest, FriendshipAnswer>("social.decline", Default.FriendRequest, Default.FriendshipAnswer, (s, me, r, ct) => s.DeclineAsync(me, r, ct))
        .Command<FriendService, FriendRequest, FriendshipAnswer>("social.unfriend", Default.FriendRequest, Default.FriendshipAnswer, (s, me, r, ct) => s.RemoveAsync(me, r, ct))
        .Command<FriendService, FriendRequest, FriendshipAnswer>("social.block", Default.FriendRequest, Default.FriendshipAnswer, (s, me, r, ct) => s.BlockAsync(me, r, ct))
        .Command<FriendService, FriendRequest, FriendshipAnswer>("social.unblock", Default.FriendRequest, Default.FriendshipAnswer, (s, me, r, ct) => s.UnblockAsync(me, r, ct))
        .Command<FriendService, FeedRequest, FriendList>("social.friends", Default.FeedRequest, Default.FriendList, (s, me, r, ct) => s.ListAsync(me, r.Before, r.Limit, ct))
        .Command<ActivityService, PostActivityRequest, ActivityView>("social.post", Default.PostActivityRequest, Default.ActivityView, (s, me, r, ct) => s.PostAsync(me, r, ct))
        .Command<ActivityService, UpdateActivityRequest, ActivityView>("social.update", Default.UpdateActivityRequest, Default.ActivityView, (s, me, r, ct) => s.UpdateAsync(me, r, ct))
        .Command<ActivityService, ActivityRequest>("social.delete", Default.ActivityRequest, (s, me, r, ct) => s.DeleteAsync(me, r, ct))
        .Command<ActivityService, ActivityRequest, ActivityView>("social.get", Default.ActivityRequest, Default.ActivityView, (s, me, r, ct) => s.GetAsync(me, r, ct))
        .Command<ActivityService, ActivityRequest, LikeState>("social.like", Default.ActivityRequest, Default.LikeState, (s, me, r, ct) => s.LikeAsync(me, r, ct))
        .Command<ActivityService, ActivityRequest, LikeState>("social.unlike", Default.ActivityRequest, Default.LikeState, (s, me, r, ct) => s.UnlikeAsync(me, r, ct))
        .Command<ActivityService, CommentRequest, CommentView>("social.comment", Default.CommentRequest, Default.CommentView, (s, me, r, ct) => s.CommentAsync(me, r, ct))
        .Command<ActivityService, DeleteCommentRequest>("social.delete_comment", Default.DeleteCommentRequest, (s, me, r, ct) => s.DeleteCommentAsync(me, r, ct))
        .Command<ActivityService, ActivityRequest, CommentPage>("social.comments", Default.ActivityRequest, Default.CommentPage, (s, me, r, ct) => s.CommentsAsync(me, r, ct))
        .Command<ActivityService, FeedRequest, ActivityPage>("social.feed", Default.FeedRequest, Default.ActivityPage, (s, me, r, ct) => s.FeedAsync(me, r, ct))
        .Command<ActivityService, FeedRequest, ActivityPage>("social.activities", Default.FeedRequest, Default.ActivityPage, (s, me, r, ct) => s.TimelineAsync(me, r, ct))
        .OnEveryDomainEvent<ActivityRuleService>("social.activities", (s, tx, e, ct) => s.HandleAsync(tx, e, ct), (s, tx, type, ct) => s.TakesAsync(tx, type, ct))
        .Api<SocialOptions>("/api/friends", o => o.MaxBodyBytes, SocialEndpoints.MapFriends)
        .Api<SocialOptions>("/api/blocks", o => o.MaxBodyBytes, SocialEndpoints.MapBlocks)
        .Api<SocialOptions>("/api/activities", o => o.MaxBodyBytes, SocialEndpoints.MapActivities)
        .Api<SocialOptions>("/api/feed", o => o.MaxBodyBytes, SocialEndpoints.MapFeed)
        .Api<SocialOptions>("/api/users", o => o.MaxBodyBytes, SocialEndpoints.MapTimelines)
        .Api<SocialOptions>("/api/activity-rules", o => o.MaxBodyBytes, SocialEndpoints.MapRules)
        .ConsolePage("social", "Social", "social.js")
        .Services.AddSingleton<FriendService>().AddSingleton<ActivityService>().AddSingleton<ActivityRuleService>()
        .AddSingleton<Kit.Users.IFriendGraph, SocialFriendGraph>() // boards among friends (gamification) read friendships through the kit
        .AddSingleton<IDevelopmentSeed, SocialDevelopmentSeeder>(); // stored when the console's picker asks (POST /api/dev/seed)
}
