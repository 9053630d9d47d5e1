using System.Globalization;
using Hubbub.Core;
using Hubbub.Features.Kit;
using Hubbub.Features.Kit.Text;
using static Hubbub.Features.Social.SocialJsonContext;

namespace Hubbub.Features.Social;

public sealed partial class ActivityService
{
    /// <summary>
    /// Likes an activity I may see (a second like changes nothing). The author and the activity's channel hear
    /// <c>activity_liked</c>; the author keeps one
    /// unread notification per activity: a new like replaces the unread one before it (with the newest liker and count).
    /// </summary>
    public Task<LikeState> LikeAsync(HubbubUser me, ActivityRequest request, CancellationToken cancellationToken = default)
    {
        var id = CheckId(request.Activity);
        return database.WriteAsync(async tx =>
        {
            var row = await VisibleForWriteAsync(tx, me, id, cancellationToken);
            if (!await ActivityStore.LikeAsync(tx, id, me.Id, tx.NowMs, cancellationToken))
            {
                return new LikeState(id, await ActivityStore.LikeCountAsync(tx, id, cancellationToken), true);
            }
            var count = await ActivityStore.LikeCountAsync(tx, id, cancellationToken);
            var liked = new ActivityLikedEvent(id, me.Id, me.Name, count);
            await tx.PublishAsync(FeatureTransaction.UserChannel(row.UserId), SocialEvents.ActivityLiked, liked, Default.ActivityLikedEvent, cancellationToken);
            await tx.PublishAsync(ActivityChannel(id), SocialEvents.ActivityLiked, liked, Default.ActivityLikedEvent, cancellationToken);
            if (row.UserId != me.Id)
            {
                if (await ActivityStore.LikeNoticeAsync(tx, id, cancellationToken) is { } previous)
                {
                    await tx.WithdrawUnreadNotificationAsync(row.UserId, previous, cancellationToken);
                }
                await KeepLikeNoticeAsync(tx, row.UserId, liked, cancellationToken);
            }
            return new LikeState(id, count, true);
        }, cancellationToken);
    }

    /// <summary>
    /// Takes my like back (none: nothing changes). The author and the activity's channel hear <c>activity_unliked</c> with the new count, so a
    /// count on screen goes down as it went up; there is no notification (a like taken back is not news), and when no like
    /// is left the author's unread like notification of the activity is withdrawn (it would tell of likes no longer there); when
    /// likes are left, the unread one is written again naming the newest remaining liker with the new count.
    /// </summary>
    public Task<LikeState> UnlikeAsync(HubbubUser me, ActivityRequest request, CancellationToken cancellationToken = default)
    {
        var id = CheckId(request.Activity);
        return database.WriteAsync(async tx =>
        {
            var row = await VisibleForWriteAsync(tx, me, id, cancellationToken);
            var removed = await ActivityStore.UnlikeAsync(tx, id, me.Id, cancellationToken);
            var count = await ActivityStore.LikeCountAsync(tx, id, cancellationToken);
            if (removed)
            {
                var unliked = new ActivityLikedEvent(id, me.Id, me.Name, count);
                await tx.PublishAsync(FeatureTransaction.UserChannel(row.UserId), SocialEvents.ActivityUnliked, unliked, Default.ActivityLikedEvent, cancellationToken);
                await tx.PublishAsync(ActivityChannel(id), SocialEvents.ActivityUnliked, unliked, Default.ActivityLikedEvent, cancellationToken);
                if (await ActivityStore.LikeNoticeAsync(tx, id, cancellationToken) is { } notice
                    && await tx.WithdrawUnreadNotificationAsync(row.UserId, notice, cancellationToken)
                    && count > 0 && await ActivityStore.NewestLikerAsync(tx, id, row.UserId, cancellationToken) is { } newest)
                {
                    // The unread notice may name the liker who just took theirs back, and its count is stale: it is
                    // written again for the likes that are left (newest liker, current count), as a new like would.
                    await KeepLikeNoticeAsync(tx, row.UserId, new ActivityLikedEvent(id, newest.User, newest.Name, count), cancellationToken);
                }
            }
            return new LikeState(id, count, false);
        }, cancellationToken);
    }

    /// <summary>The author's one unread like notification of the activity, remembered so that the next like or unlike finds it.</summary>
    private static async Task KeepLikeNoticeAsync(FeatureTransaction tx, string author, ActivityLikedEvent liked, CancellationToken cancellationToken)
    {
        var notice = await tx.NotifyAsync(author, SocialEvents.ActivityLiked, liked, Default.ActivityLikedEvent, cancellationToken);
        await ActivityStore.SetLikeNoticeAsync(tx, liked.Activity, notice.Id, cancellationToken);
    }

    /// <summary>
    /// Comments on an activity I may see; the text is kept exactly as written (markup included: clients render it as
    /// text). The author and the activity's channel hear <c>activity_commented</c>; the author, when it is not their own comment, keeps a notification.
    /// </summary>
    public Task<CommentView> CommentAsync(HubbubUser me, CommentRequest request, CancellationToken cancellationToken = default)
    {
        var id = CheckId(request.Activity);
        var text = CheckText(request.Text);
        return database.WriteAsync(async tx =>
        {
            var row = await VisibleForWriteAsync(tx, me, id, cancellationToken);
            var commentId = await ActivityStore.AddCommentAsync(tx, id, me.Id, text, tx.NowMs, cancellationToken);
            var comment = new CommentView(commentId.ToString(CultureInfo.InvariantCulture), me.Id, me.Name, text, Time(tx.NowMs));
            var commented = new ActivityCommentedEvent(id, comment, await ActivityStore.CommentCountAsync(tx, id, cancellationToken));
            await tx.PublishAsync(FeatureTransaction.UserChannel(row.UserId), SocialEvents.ActivityCommented, commented, Default.ActivityCommentedEvent,
                cancellationToken);
            await tx.PublishAsync(ActivityChannel(id), SocialEvents.ActivityCommented, commented, Default.ActivityCommentedEvent, cancellationToken);
            if (row.UserId != me.Id)
            {
                var notice = await tx.NotifyAsync(row.UserId, SocialEvents.ActivityCommented, commented, Default.ActivityCommentedEvent, cancellationToken);
                await ActivityStore.SetCommentNoticeAsync(tx, commentId, notice.Id, cancellationToken);
            }
            return comment;
        }, cancellationToken);
    }

    /// <summary>
    /// Deletes a comment: its writer may, and the activity's author may delete any on their activity. The activity's
    /// channel hears <c>comment_deleted</c> with the count left; the author's notification of it goes too while unread.
    /// </summary>
    public Task DeleteCommentAsync(HubbubUser me, DeleteCommentRequest request, CancellationToken cancellationToken = default)
    {
        var id = CheckId(request.Activity);
        var commentId = ParseCursor(request.Comment ?? throw HubbubException.BadRequest("'comment' is required"), "comment");
        return database.WriteAsync(async tx =>
        {
            var row = await VisibleForWriteAsync(tx, me, id, cancellationToken);
            var comment = await ActivityStore.FindCommentAsync(tx, id, commentId, cancellationToken)
                ?? throw HubbubException.NotFound("comment not found");
            if (comment.UserId != me.Id && row.UserId != me.Id && !me.IsAdmin)
            {
                throw HubbubException.Forbidden("only its writer or the activity's author may delete a comment");
            }
            var notice = await ActivityStore.CommentNoticeAsync(tx, commentId, cancellationToken);
            if (!await ActivityStore.DeleteCommentAsync(tx, id, commentId, cancellationToken))
            {
                throw HubbubException.NotFound("comment not found"); // deleted meanwhile: announced once, by that deletion
            }
            if (notice is not null)
            {
                // Unread, it would tell the author of a comment no longer there (read, it stays: the inbox is a history).
                await tx.WithdrawUnreadNotificationAsync(row.UserId, notice, cancellationToken);
            }
            await tx.PublishAsync(ActivityChannel(id), SocialEvents.CommentDeleted,
                new CommentDeletedEvent(id, comment.Id.ToString(CultureInfo.InvariantCulture), await ActivityStore.CommentCountAsync(tx, id, cancellationToken)),
                Default.CommentDeletedEvent, cancellationToken);
        }, cancellationToken);
    }

    /// <summary>An activity's comments, newest first, paged by <c>before</c> (a comment id).</summary>
    public Task<CommentPage> CommentsAsync(HubbubUser me, ActivityRequest request, CancellationToken cancellationToken = default)
    {
        var id = CheckId(request.Activity);
        var (cursor, size) = Page(request.Before, request.Limit);
        return database.ReadAsync(async tx =>
        {
            await VisibleAsync(tx, me, id, cancellationToken);
            var rows = await ActivityStore.CommentsAsync(tx, id, cursor, size + 1, cancellationToken);
            var page = rows.Take(size).ToList();
            return new CommentPage(page.ConvertAll(CommentOf), rows.Count > size ? page[^1].Id.ToString(CultureInfo.InvariantCulture) : null);
        }, cancellationToken);
    }

    private string CheckText(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw HubbubException.BadRequest("'text' is required");
        }
        StoredText.Check(text, "text");
        return text.Length > Options.MaxCommentLength
            ? throw HubbubException.TooLarge($"'text' is longer than {Options.MaxCommentLength} characters")
            : text;
    }
}
