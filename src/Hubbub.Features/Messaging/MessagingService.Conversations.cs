using System.Data.Common;
using Hubbub.Core;
using Hubbub.Features.Kit;
using Hubbub.Features.Kit.Declaring;
using Hubbub.Features.Kit.Text;

namespace Hubbub.Features.Messaging;

public sealed partial class MessagingService
{
    /// <summary>The kind of a one-to-one conversation.</summary>
    public const string Direct = "direct";

    /// <summary>The kind of a conversation of any number of participants.</summary>
    public const string Group = "group";

    /// <summary>
    /// Creates a conversation of the caller and <see cref="CreateConversationRequest.Participants"/>. A direct
    /// conversation between two users exists once: asking again returns it (<c>Created</c> false), with both
    /// back in it if one had left.
    /// </summary>
    public async Task<(ConversationView Conversation, bool Created)> CreateConversationAsync(HubbubUser me, CreateConversationRequest request,
        CancellationToken cancellationToken = default)
    {
        var others = OtherUsers(me, request.Participants, "participants");
        var kind = request.Kind ?? (others.Count == 1 && string.IsNullOrWhiteSpace(request.Title) ? Direct : Group);
        if (kind is not (Direct or Group))
        {
            throw HubbubException.BadRequest("'kind' must be \"direct\" or \"group\"");
        }
        if (others.Count == 0)
        {
            throw HubbubException.BadRequest("'participants' must name at least one other user");
        }
        if (kind == Direct && others.Count != 1)
        {
            throw HubbubException.BadRequest("a direct conversation has exactly one other participant");
        }
        if (kind == Direct && !string.IsNullOrWhiteSpace(request.Title))
        {
            throw HubbubException.BadRequest("a direct conversation has no title (a group has one)");
        }
        if (others.Count + 1 > Options.MaxParticipants)
        {
            throw HubbubException.TooLarge($"a conversation has at most {Options.MaxParticipants} participants");
        }
        var title = kind == Group ? ValidTitle(request.Title) : null;
        var everyone = others.Prepend(me.Id).ToList();
        var directKey = kind == Direct ? DirectKey(me.Id, others[0]) : null;

        try
        {
            return await CreateInTransactionAsync(me, kind, title, directKey, everyone, cancellationToken);
        }
        catch (DbException) when (directKey is not null)
        {
            // Two first messages between the same pair raced (PostgreSQL): the loser finds the winner's row.
            return await CreateInTransactionAsync(me, kind, title, directKey, everyone, cancellationToken);
        }
    }

    private async Task<(ConversationView View, bool Created)> CreateInTransactionAsync(HubbubUser me, string kind, string? title, string? directKey,
        List<string> everyone, CancellationToken ct)
    {
        // Before the transaction: everyone in it may have contacts once it commits (ContactlessUsers).
        contactless.Joining(everyone);
        return await database.WriteAsync(async tx =>
        {
            var existing = directKey is null ? null : await MessagingStore.FindDirectAsync(tx, directKey, ct);
            var id = existing ?? await MessagingStore.InsertConversationAsync(tx, kind, title, directKey, tx.NowMs, ct);
            var added = await MessagingStore.AddParticipantsAsync(tx, id, everyone, tx.NowMs, ct);
            await AnnounceAddedAsync(tx, me, id, added, participantsChanged: existing is not null, ct);
            return (await ViewAsync(tx, id, me.Id, ct), existing is null);
        }, ct);
    }

    /// <summary>
    /// A page of the caller's conversations, newest activity first, with last message and unread count: <c>limit</c>
    /// (default <see cref="MessagingOptions.DefaultPageSize"/>) after cursor <c>before</c> (the first page when null);
    /// <c>next_cursor</c> is null on the last page.
    /// </summary>
    public async Task<ConversationList> ListConversationsAsync(HubbubUser me, ConversationRequest request, CancellationToken cancellationToken = default)
    {
        var size = request.Limit ?? Options.DefaultPageSize;
        if (size < 1 || size > Options.MaxPageSize)
        {
            throw HubbubException.BadRequest($"'limit' must be between 1 and {Options.MaxPageSize}");
        }
        var (beforeMs, beforeId) = string.IsNullOrEmpty(request.Before)
            ? (long.MaxValue, long.MaxValue)
            : KeysetCursor.ParseNumbers(request.Before, ConversationCursorSeparator);
        // One more than the page tells whether an older page follows.
        return await database.ReadAsync(async tx =>
        {
            var rows = await MessagingStore.ConversationsOfAsync(tx, me.Id, beforeMs, beforeId, size + 1, cancellationToken);
            var page = rows.Take(size).ToList();
            var next = rows.Count > size
                ? KeysetCursor.Format(page[^1].LastActivityMs, Format(page[^1].Id), ConversationCursorSeparator)
                : null;
            return new ConversationList(await ViewsAsync(tx, page, me.Id, cancellationToken), next);
        }, cancellationToken);
    }

    // A cursor is "{last_activity_ms}_{conversation id}" of the last conversation of the previous page.
    private const char ConversationCursorSeparator = '_';

    /// <summary>One conversation of the caller.</summary>
    public async Task<ConversationView> GetConversationAsync(HubbubUser me, string conversation, CancellationToken cancellationToken = default)
    {
        var id = ParseConversation(conversation);
        return await database.ReadAsync(async tx =>
        {
            await RequireParticipantAsync(tx, id, me.Id, cancellationToken);
            return await ViewAsync(tx, id, me.Id, cancellationToken);
        }, cancellationToken);
    }

    /// <summary>Adds users to a group the caller takes part in; users already in it are ignored.</summary>
    public async Task<ConversationView> AddParticipantsAsync(HubbubUser me, AddParticipantsRequest request, CancellationToken cancellationToken = default)
    {
        var id = ParseConversation(request.Conversation);
        var newcomers = OtherUsers(me, request.Users, "users");
        if (newcomers.Count == 0)
        {
            throw HubbubException.BadRequest("'users' must name at least one other user");
        }
        // Before the transaction: the newcomers, and the caller (who may have been alone in the group), may have contacts
        // once it commits (ContactlessUsers).
        contactless.Joining(newcomers.Append(me.Id));
        return await AddInTransactionAsync(me, id, newcomers, cancellationToken);
    }

    private Task<ConversationView> AddInTransactionAsync(HubbubUser me, long id, List<string> newcomers, CancellationToken cancellationToken) =>
        database.WriteAsync(async tx =>
        {
            var row = await RequireParticipantAsync(tx, id, me.Id, cancellationToken);
            if (row.Kind != Group)
            {
                throw HubbubException.BadRequest("participants can be added to group conversations only");
            }
            // Added first, counted after: over the cap, the throw rolls the transaction (and the additions) back.
            var added = await MessagingStore.AddParticipantsAsync(tx, id, newcomers, tx.NowMs, cancellationToken);
            if (await MessagingStore.CountParticipantsAsync(tx, id, cancellationToken) > Options.MaxParticipants)
            {
                throw HubbubException.TooLarge($"a conversation has at most {Options.MaxParticipants} participants");
            }
            await AnnounceAddedAsync(tx, me, id, added, participantsChanged: true, cancellationToken);
            return await ViewAsync(tx, id, me.Id, cancellationToken);
        }, cancellationToken);

    /// <summary>Takes the caller out of a conversation; the others get <c>participants_changed</c>.</summary>
    public async Task<string> LeaveAsync(HubbubUser me, string? conversation, CancellationToken cancellationToken = default)
    {
        var id = ParseConversation(conversation);
        await database.WriteAsync(async tx =>
        {
            await RequireParticipantAsync(tx, id, me.Id, cancellationToken);
            await MessagingStore.RemoveParticipantAsync(tx, id, me.Id, cancellationToken);
            var view = await ViewAsync(tx, id, null, cancellationToken);
            var channel = MessagingEvents.ConversationChannel(view.Id);
            await tx.PublishAsync(channel, MessagingEvents.ParticipantsChanged, view, MessagingJsonContext.Default.ConversationView, cancellationToken);
            // A subscription made while they were a participant must stop receiving now.
            await tx.EndSubscriptionsAsync(me.Id, channel, "left the conversation", cancellationToken);
        }, cancellationToken);
        return Format(id);
    }

    /// <summary>
    /// With the change: <c>conversation_added</c> to each newcomer (also kept as a notification, so one who is offline
    /// finds it), <c>participants_changed</c> to the channel.
    /// </summary>
    private static async Task AnnounceAddedAsync(FeatureTransaction tx, HubbubUser me, long id, List<string> added, bool participantsChanged,
        CancellationToken ct)
    {
        if (added.Count == 0)
        {
            return;
        }
        if (participantsChanged)
        {
            var shared = await ViewAsync(tx, id, null, ct);
            await tx.PublishAsync(MessagingEvents.ConversationChannel(shared.Id), MessagingEvents.ParticipantsChanged, shared,
                MessagingJsonContext.Default.ConversationView, ct);
        }
        foreach (var user in added)
        {
            var own = await ViewAsync(tx, id, user, ct);
            await tx.PublishAsync(Kit.FeatureTransaction.UserChannel(user), MessagingEvents.ConversationAdded, own,
                MessagingJsonContext.Default.ConversationView, ct);
            if (user != me.Id)
            {
                await tx.NotifyAsync(user, MessagingEvents.ConversationAdded, new ConversationAddedNotice(own.Id, own.Kind, own.Title,
                    new UserRef(me.Id, me.Name)), MessagingJsonContext.Default.ConversationAddedNotice, ct);
            }
        }
    }

    /// <summary>The distinct, valid user ids of a list, without the caller.</summary>
    private List<string> OtherUsers(HubbubUser me, IReadOnlyList<string>? list, string field)
    {
        if (list is null)
        {
            throw HubbubException.BadRequest($"'{field}' is required: a list of user ids");
        }
        // Bound the work before looking at the items: a hostile list of a million ids is refused at once.
        if (list.Count > Options.MaxParticipants * 2)
        {
            throw HubbubException.TooLarge($"a conversation has at most {Options.MaxParticipants} participants");
        }
        foreach (var user in list)
        {
            CheckUserId(user, field);
        }
        return [.. list.Where(u => u != me.Id).Distinct(StringComparer.Ordinal)];
    }

    private string? ValidTitle(string? title) => StoredText.Title(title, Options.MaxTitleLength);

    // Length-prefixed so no pair of ids can produce another pair's key.
    private static string DirectKey(string a, string b)
    {
        var (first, second) = string.CompareOrdinal(a, b) <= 0 ? (a, b) : (b, a);
        return $"{first.Length}:{first}|{second}";
    }
}
