using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Hubbub.Core;
using Hubbub.Features.Kit;
using Hubbub.Features.Kit.Text;
using Hubbub.Features.Kit.Users;
using Hubbub.Storage;
using Microsoft.Extensions.Options;
using static Hubbub.Features.Social.SocialJsonContext;

namespace Hubbub.Features.Social;

/// <summary>
/// Activities and the feed. An activity is seen by its author and their friends only; to anyone else it does not exist
/// (<c>not_found</c>). New, edited and deleted activities are announced on <c>feed:{id}</c> of the author and each
/// friend, through the outbox. The feed is fanned out on write to a per-reader inbox (see docs/features/social.md for why).
/// </summary>
public sealed partial class ActivityService(FeatureDatabase database, IOptions<SocialOptions> options)
{
    /// <summary>Largest page.</summary>
    public const int MaxPageSize = 100;

    /// <summary>Page size when none is asked for.</summary>
    public const int DefaultPageSize = 20;

    private const string PostScope = "social.post";

    private SocialOptions Options => options.Value;

    /// <summary>The channel of a user's live feed.</summary>
    public static string FeedChannel(string user) => $"{SocialEvents.Namespace}:{user}";

    /// <summary>The channel of one activity's viewers (its author and their friends).</summary>
    public static string ActivityChannel(string activity) => $"{SocialEvents.ActivityNamespace}:{activity}";

    /// <summary>Posts an activity as <paramref name="me"/>; with an <c>id</c>, a retry answers the first activity and changes nothing.</summary>
    public async Task<ActivityView> PostAsync(HubbubUser me, PostActivityRequest request, CancellationToken cancellationToken = default)
    {
        var type = CheckType(request.Type);
        var title = CheckTitle(request.Title);
        var description = CheckDescription(request.Description);
        var data = CheckData(request.Data);
        var key = request.Id is null ? null : CheckKey(request.Id);
        return await database.WriteAsync(async tx =>
        {
            async Task<ActivityView> Create()
            {
                var id = NewId();
                await ActivityStore.TryInsertAsync(tx, id, me.Id, type, title, description, data, tx.NowMs, cancellationToken);
                return await AnnounceNewAsync(tx, id, me.Id, cancellationToken);
            }
            return key is null ? await Create() : (await tx.OnceAsync(PostScope, $"{me.Id}\n{key}", Default.ActivityView, Create, cancellationToken)).Result;
        }, cancellationToken);
    }

    /// <summary>
    /// Puts the new activity in the author's and each friend's feed (one row each, one statement, which also answers who
    /// they are) and announces it on their feed channels (one outbox statement for all of them), under the author's lock
    /// so that a friendship changing meanwhile is either in both or in neither.
    /// </summary>
    internal static async Task<ActivityView> AnnounceNewAsync(FeatureTransaction tx, string id, string author, CancellationToken ct)
    {
        await FeedStore.LockAuthorAsync(tx, author, ct);
        var row = await ActivityStore.FindAsync(tx, id, author, ct) ?? throw new InvalidOperationException("activity vanished");
        var readers = await FeedStore.FanOutAsync(tx, row.Seq, author, ct);
        var view = View(row, []);
        await tx.PublishToChannelsAsync(readers.Select(FeedChannel), SocialEvents.FriendActivity, new ActivityEvent(view with { LikedByMe = false }),
            Default.ActivityEvent, ct);
        return view;
    }

    /// <summary>The feed channels of the author and each friend: who hears of the author's activities.</summary>
    private static async Task<IEnumerable<string>> ReaderChannelsAsync(FeatureTransaction tx, string author, CancellationToken ct) =>
        (await FriendStore.FriendIdsAsync(tx, author, ct)).Prepend(author).Select(FeedChannel);

    /// <summary>Edits my own activity (the fields given); friends' feeds hear <c>activity_updated</c>.</summary>
    public async Task<ActivityView> UpdateAsync(HubbubUser me, UpdateActivityRequest request, CancellationToken cancellationToken = default)
    {
        var id = CheckId(request.Activity);
        var title = request.Title is null ? null : CheckTitle(request.Title);
        var description = CheckDescription(request.Description);
        var data = CheckData(request.Data);
        return await database.WriteAsync(async tx =>
        {
            var row = await OwnAsync(tx, me, id, cancellationToken);
            await ActivityStore.UpdateAsync(tx, id, title ?? row.Title, request.Description is null ? row.Description : description,
                request.Data is null ? row.Data : data, tx.NowMs, cancellationToken);
            var view = await ReadAsync(tx, id, me.Id, cancellationToken);
            var announced = new ActivityEvent(view with { LikedByMe = false, LatestComments = [] });
            await tx.PublishToChannelsAsync(await ReaderChannelsAsync(tx, row.UserId, cancellationToken), SocialEvents.ActivityUpdated, announced,
                Default.ActivityEvent, cancellationToken);
            await tx.PublishAsync(ActivityChannel(id), SocialEvents.ActivityUpdated, announced, Default.ActivityEvent, cancellationToken);
            return view;
        }, cancellationToken);
    }

    /// <summary>
    /// Deletes my own activity with its likes and comments, and my unread notifications of them; the author's and friends'
    /// feeds hear <c>activity_deleted</c>.
    /// </summary>
    public async Task DeleteAsync(HubbubUser me, ActivityRequest request, CancellationToken cancellationToken = default)
    {
        var id = CheckId(request.Activity);
        await database.WriteAsync(async tx =>
        {
            // The activity's lock first (OwnAsync), then the author's: a second delete waits here and then finds nothing
            // (not_found), so one delete answers 204 and one activity_deleted goes out.
            var row = await OwnAsync(tx, me, id, cancellationToken);
            await FeedStore.LockAuthorAsync(tx, row.UserId, cancellationToken);
            var notices = (await ActivityStore.NoticesAsync(tx, id, cancellationToken)).ToList();
            if (!await ActivityStore.DeleteAsync(tx, id, cancellationToken))
            {
                throw NotFound();
            }
            // No like or comment outlives its activity, nor an unread notice of one (it would lead to a 404).
            foreach (var notice in notices)
            {
                await tx.WithdrawUnreadNotificationAsync(row.UserId, notice, cancellationToken);
            }
            await FeedStore.RemoveAsync(tx, row.Seq, row.UserId, cancellationToken);
            await tx.PublishToChannelsAsync(await ReaderChannelsAsync(tx, row.UserId, cancellationToken), SocialEvents.ActivityDeleted,
                new ActivityDeletedEvent(id), Default.ActivityDeletedEvent, cancellationToken);
            await tx.PublishAsync(ActivityChannel(id), SocialEvents.ActivityDeleted, new ActivityDeletedEvent(id), Default.ActivityDeletedEvent,
                cancellationToken);
        }, cancellationToken);
    }

    /// <summary>One activity, for its author and their friends.</summary>
    public Task<ActivityView> GetAsync(HubbubUser me, ActivityRequest request, CancellationToken cancellationToken = default)
    {
        var id = CheckId(request.Activity);
        return database.ReadAsync(async tx =>
        {
            await VisibleAsync(tx, me, id, cancellationToken);
            return await ReadAsync(tx, id, me.Id, cancellationToken);
        }, cancellationToken);
    }

    /// <summary>My feed: mine and my friends' activities, newest first, with their latest comments.</summary>
    public Task<ActivityPage> FeedAsync(HubbubUser me, FeedRequest request, CancellationToken cancellationToken = default) =>
        FeedAsync(database.Database, me.Id, request.Before, request.Limit, Options.LatestComments, cancellationToken);

    /// <summary>The feed page of <paramref name="user"/>; also the join state of <c>feed:{id}</c>.</summary>
    internal static Task<ActivityPage> FeedAsync(IDatabase db, string user, string? before, int? limit, int latestComments, CancellationToken ct)
    {
        var (cursor, size) = Page(before, limit);
        return db.ReadAsync(async tx =>
        {
            var (rows, comments) = await ActivityStore.FeedAsync(tx, user, cursor, size + 1, latestComments, ct);
            return Page(rows, comments, size);
        }, ct);
    }

    /// <summary>A user's own activities: mine, or a friend's; anyone else's is <c>forbidden</c>.</summary>
    public Task<ActivityPage> TimelineAsync(HubbubUser me, FeedRequest request, CancellationToken cancellationToken = default)
    {
        var author = UserDirectory.CheckUserId(request.Of, "of");
        var (cursor, size) = Page(request.Before, request.Limit);
        return database.ReadAsync(async tx =>
        {
            if (author != me.Id && !me.IsAdmin && !await FriendStore.AreFriendsAsync(tx, me.Id, author, cancellationToken))
            {
                throw HubbubException.Forbidden("only this user and their friends see their activities");
            }
            return await PageAsync(tx, await ActivityStore.OfUserAsync(tx, author, me.Id, cursor, size + 1, cancellationToken), size,
                Options.LatestComments, cancellationToken);
        }, cancellationToken);
    }

    private static async Task<ActivityPage> PageAsync(DatabaseTransaction tx, List<ActivityRow> rows, int size, int latestComments, CancellationToken ct) =>
        Page(rows, await ActivityStore.LatestCommentsAsync(tx, rows.Take(size).Select(r => r.Id).ToList(), latestComments, ct), size);

    /// <summary>The first <paramref name="size"/> of <paramref name="rows"/> (one more was read: is there a next page?) with their comments.</summary>
    private static ActivityPage Page(List<ActivityRow> rows, List<CommentRow> latestComments, int size)
    {
        var page = rows.Take(size).ToList();
        var comments = latestComments.ToLookup(c => c.ActivityId, StringComparer.Ordinal);
        return new ActivityPage(page.ConvertAll(r => View(r, comments[r.Id].Select(CommentOf).ToList())),
            rows.Count > size ? page[^1].Seq.ToString(CultureInfo.InvariantCulture) : null);
    }

    /// <summary>The activity if <paramref name="me"/> may see it: the author, a friend of theirs, or an admin; else <c>not_found</c>.</summary>
    internal static async Task<ActivityRow> VisibleAsync(DatabaseTransaction tx, HubbubUser me, string id, CancellationToken ct) =>
        await SeenByAsync(tx, me, await ActivityStore.FindAsync(tx, id, me.Id, ct), ct);

    /// <summary>
    /// As <see cref="VisibleAsync"/>, with the activity's row locked until the commit: what every write to an activity,
    /// its likes or its comments reads first (<see cref="ActivityStore.FindForWriteAsync"/> says why).
    /// </summary>
    internal static async Task<ActivityRow> VisibleForWriteAsync(DatabaseTransaction tx, HubbubUser me, string id, CancellationToken ct) =>
        await SeenByAsync(tx, me, await ActivityStore.FindForWriteAsync(tx, id, me.Id, ct), ct);

    private static async Task<ActivityRow> SeenByAsync(DatabaseTransaction tx, HubbubUser me, ActivityRow? row, CancellationToken ct) =>
        row is null || (row.UserId != me.Id && !me.IsAdmin && !await FriendStore.AreFriendsAsync(tx, me.Id, row.UserId, ct))
            ? throw NotFound()
            : row;

    /// <summary>My own activity (an admin's: any), locked for the edit or deletion that follows.</summary>
    private static async Task<ActivityRow> OwnAsync(DatabaseTransaction tx, HubbubUser me, string id, CancellationToken ct)
    {
        var row = await VisibleForWriteAsync(tx, me, id, ct);
        return row.UserId == me.Id || me.IsAdmin ? row : throw HubbubException.Forbidden("only its author may change or delete an activity");
    }

    internal async Task<ActivityView> ReadAsync(DatabaseTransaction tx, string id, string viewer, CancellationToken ct) =>
        await ReadAsync(tx, id, viewer, Options.LatestComments, ct) ?? throw NotFound();

    private static async Task<ActivityView?> ReadAsync(DatabaseTransaction tx, string id, string viewer, int latestComments, CancellationToken ct)
    {
        if (await ActivityStore.FindAsync(tx, id, viewer, ct) is not { } row)
        {
            return null;
        }
        var comments = await ActivityStore.LatestCommentsAsync(tx, [id], latestComments, ct);
        return View(row, comments.ConvertAll(CommentOf));
    }

    /// <summary>The activity as <paramref name="viewer"/> sees it, or null when it is gone; the join state of <c>activity:{id}</c>.</summary>
    internal static Task<ActivityView?> ViewAsync(IDatabase db, string id, string viewer, int latestComments, CancellationToken ct) =>
        db.ReadAsync(tx => ReadAsync(tx, id, viewer, latestComments, ct), ct);

    internal static HubbubException NotFound() => HubbubException.NotFound("activity not found");

    internal static ActivityView View(ActivityRow r, IReadOnlyList<CommentView> comments) => new(
        r.Id, r.UserId, r.Name, r.Type, r.Title, r.Description,
        r.Data is null ? null : JsonSerializer.Deserialize(r.Data, Default.JsonElement),
        Time(r.CreatedMs), r.LikeCount, r.CommentCount, r.LikedByMe != 0, comments, r.UpdatedMs is { } u ? Time(u) : null);

    internal static CommentView CommentOf(CommentRow c) => new(c.Id.ToString(CultureInfo.InvariantCulture), c.UserId, c.Name, c.Text, Time(c.CreatedMs));

    internal static DateTime Time(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime;

    private static (long Cursor, int Size) Page(string? before, int? limit)
    {
        var size = limit ?? DefaultPageSize;
        if (size is < 1 or > MaxPageSize)
        {
            throw HubbubException.BadRequest($"'limit' must be between 1 and {MaxPageSize}");
        }
        return (string.IsNullOrEmpty(before) ? long.MaxValue : ParseCursor(before, "before"), size); // "" is no cursor, as an empty ?before= is
    }

    internal static long ParseCursor(string value, string field) =>
        long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : throw HubbubException.BadRequest($"'{field}' must be a cursor from a previous page");

    private static string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(10));

    internal static string CheckId(string? id) =>
        id is { Length: > 0 and <= 64 } ? id : throw HubbubException.BadRequest("'activity' must be an activity id");

    private static string CheckKey(string key) =>
        key.Length is > 0 and <= 128 && !key.Any(char.IsControl) ? key : throw HubbubException.BadRequest("'id' must be 1-128 characters");

    internal static string CheckType(string? type) =>
        type is { Length: > 0 and <= 64 } && type.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-')
            ? type
            : throw HubbubException.BadRequest("'type' is required: 1-64 letters, digits and . _ -");

    private string CheckTitle(string? title) =>
        StoredText.Title(title, Options.MaxTitleLength) ?? throw HubbubException.BadRequest("'title' is required");

    private string? CheckDescription(string? description) =>
        StoredText.Body(description, Options.MaxDescriptionLength, "description");

    private string? CheckData(JsonElement? data)
    {
        if (data is not { } value || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw HubbubException.BadRequest("'data' must be a JSON object");
        }
        var json = value.GetRawText();
        StoredText.Check(json, "data");
        return json.Length > Options.MaxDataLength ? throw HubbubException.TooLarge($"'data' is larger than {Options.MaxDataLength} characters") : json;
    }
}
