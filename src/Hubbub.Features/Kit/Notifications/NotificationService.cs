using System.Globalization;
using Hubbub.Core;

namespace Hubbub.Features.Kit.Notifications;

/// <summary>A user's inbox: list (newest first, paged, optionally unread only) and mark read up to a notification.</summary>
public sealed class NotificationService(FeatureDatabase database)
{
    /// <summary>Largest page.</summary>
    public const int MaxPageSize = 100;

    /// <summary>Page size when none is asked for.</summary>
    public const int DefaultPageSize = 50;

    /// <summary>One page of <paramref name="me"/>'s notifications with their unread count.</summary>
    public Task<NotificationList> ListAsync(HubbubUser me, bool unreadOnly, string? before, int? limit, CancellationToken cancellationToken = default)
    {
        var size = limit ?? DefaultPageSize;
        if (size is < 1 or > MaxPageSize)
        {
            throw HubbubException.BadRequest($"'limit' must be between 1 and {MaxPageSize}");
        }
        long? cursor = before is null ? null : ParseId(before, "before");
        return database.ReadAsync(async tx =>
        {
            var items = await NotificationStore.PageAsync(tx, me.Id, unreadOnly, cursor, size + 1, cancellationToken);
            var more = items.Count > size;
            var page = items.Take(size).ToList();
            return new NotificationList(page, await NotificationStore.UnreadAsync(tx, me.Id, cancellationToken), more ? page[^1].Id : null);
        }, cancellationToken);
    }

    /// <summary>
    /// Marks every notification of <paramref name="me"/> up to <c>up_to</c> read; answers the unread count left. An
    /// <c>up_to</c> past the user's newest notification is <c>not_found</c>.
    /// </summary>
    public Task<UnreadCount> MarkReadAsync(HubbubUser me, MarkReadRequest request, CancellationToken cancellationToken = default)
    {
        var upTo = ParseId(request.UpTo ?? throw HubbubException.BadRequest("'up_to' is required: the id of the newest notification read"), "up_to");
        return database.WriteAsync(async tx =>
        {
            // An id past the user's newest notification is none they were shown (FEATURES.md: unknown ids are
            // not_found). One at or below it is a position, as "the newest read": a replaced notice's old id or one
            // trimmed by the bound still marks everything up to it.
            if (upTo > await NotificationStore.NewestIdAsync(tx, me.Id, cancellationToken))
            {
                throw HubbubException.NotFound($"no notification {upTo} of yours");
            }
            await NotificationStore.MarkReadAsync(tx, me.Id, upTo, cancellationToken);
            return new UnreadCount(await NotificationStore.UnreadAsync(tx, me.Id, cancellationToken));
        }, cancellationToken);
    }

    private static long ParseId(string value, string field) =>
        long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0
            ? id
            : throw HubbubException.BadRequest($"'{field}' must be a notification id");
}
