using System.Data.Common;
using Hubbub.Core;

namespace Hubbub.Server.Features.Messaging;

public sealed partial class MessagingService
{
    /// <summary>
    /// Stores a message, then publishes <c>message</c>. With a <paramref name="clientId"/> a retry by the same sender
    /// in the same conversation returns the stored message (<c>Created</c> false) and publishes nothing.
    /// </summary>
    public async Task<(MessageView Message, bool Created)> SendAsync(HubbubUser me, string? conversation, string? text, string? clientId,
        CancellationToken cancellationToken = default)
    {
        await users.TouchAsync(me, cancellationToken);
        var id = ParseConversation(conversation);
        text = ValidText(text);
        clientId = ValidClientId(clientId);
        rateLimiter.Take(me.Id);

        (MessageRow Row, bool Created) result;
        try
        {
            result = await SendInTransactionAsync(me, id, text, clientId, cancellationToken);
        }
        catch (DbException) when (clientId is not null)
        {
            // The same client_id raced itself (a retry overtaking the original): the unique index let one in.
            result = await SendInTransactionAsync(me, id, text, clientId, cancellationToken);
        }

        var view = result.Row.ToView();
        if (result.Created)
        {
            await events.ToConversationAsync(view.Conversation, MessagingEvents.Message, view, MessagingJsonContext.Default.MessageView);
        }
        return (view, result.Created);
    }

    private Task<(MessageRow Row, bool Created)> SendInTransactionAsync(HubbubUser me, long id, string text, string? clientId, CancellationToken ct) =>
        database.InTransactionAsync(async tx =>
        {
            await RequireParticipantAsync(tx, id, me.Id, ct);
            if (clientId is not null && await MessagingStore.FindByClientIdAsync(tx, id, me.Id, clientId, ct) is { } existing)
            {
                return (existing, false);
            }
            var now = NowMs;
            var messageId = await MessagingStore.InsertMessageAsync(tx, id, me.Id, text, clientId, now, ct);
            await MessagingStore.TouchConversationAsync(tx, id, now, ct);
            // What you wrote you have read.
            await MessagingStore.MarkReadAsync(tx, id, me.Id, messageId, ct);
            var row = await MessagingStore.FindMessageAsync(tx, id, messageId, ct);
            return (row!, true);
        }, ct);

    /// <summary>Replaces the text of the caller's own message, then publishes <c>message_edited</c>.</summary>
    public async Task<MessageView> EditAsync(HubbubUser me, string? conversation, string? message, string? text,
        CancellationToken cancellationToken = default)
    {
        await users.TouchAsync(me, cancellationToken);
        var id = ParseConversation(conversation);
        var messageId = ParseMessage(message);
        text = ValidText(text);
        var view = await database.InTransactionAsync(async tx =>
        {
            var row = await OwnMessageAsync(tx, id, messageId, me, cancellationToken);
            if (row.Deleted != 0)
            {
                throw HubbubException.Conflict("a deleted message cannot be edited");
            }
            await MessagingStore.EditMessageAsync(tx, messageId, text, NowMs, cancellationToken);
            return (await MessagingStore.FindMessageAsync(tx, id, messageId, cancellationToken))!.ToView();
        }, cancellationToken);
        await events.ToConversationAsync(view.Conversation, MessagingEvents.MessageEdited, view, MessagingJsonContext.Default.MessageView);
        return view;
    }

    /// <summary>Deletes the caller's own message (its text is gone), then publishes <c>message_deleted</c>; deleting twice is a no-op.</summary>
    public async Task<MessageView> DeleteAsync(HubbubUser me, string? conversation, string? message, CancellationToken cancellationToken = default)
    {
        await users.TouchAsync(me, cancellationToken);
        var id = ParseConversation(conversation);
        var messageId = ParseMessage(message);
        var (view, changed) = await database.InTransactionAsync(async tx =>
        {
            var row = await OwnMessageAsync(tx, id, messageId, me, cancellationToken);
            if (row.Deleted != 0)
            {
                return (row.ToView(), false);
            }
            await MessagingStore.DeleteMessageAsync(tx, messageId, cancellationToken);
            return ((await MessagingStore.FindMessageAsync(tx, id, messageId, cancellationToken))!.ToView(), true);
        }, cancellationToken);
        if (changed)
        {
            await events.ToConversationAsync(view.Conversation, MessagingEvents.MessageDeleted, view, MessagingJsonContext.Default.MessageView);
        }
        return view;
    }

    private static async Task<MessageRow> OwnMessageAsync(Storage.DatabaseTransaction tx, long id, long messageId, HubbubUser me, CancellationToken ct)
    {
        await RequireParticipantAsync(tx, id, me.Id, ct);
        var row = await MessagingStore.FindMessageAsync(tx, id, messageId, ct) ?? throw HubbubException.NotFound("message not found");
        if (row.Sender != me.Id)
        {
            throw HubbubException.Forbidden("only the sender may change a message");
        }
        return row;
    }

    /// <summary>
    /// Marks the conversation read up to the message. The marker only moves forward; <c>read</c> is published
    /// when it moved.
    /// </summary>
    public async Task<ReadReceipt> MarkReadAsync(HubbubUser me, string? conversation, string? message, CancellationToken cancellationToken = default)
    {
        await users.TouchAsync(me, cancellationToken);
        var id = ParseConversation(conversation);
        var messageId = ParseMessage(message);
        var (receipt, moved) = await database.InTransactionAsync(async tx =>
        {
            await RequireParticipantAsync(tx, id, me.Id, cancellationToken);
            _ = await MessagingStore.FindMessageAsync(tx, id, messageId, cancellationToken) ?? throw HubbubException.NotFound("message not found");
            var moved = await MessagingStore.MarkReadAsync(tx, id, me.Id, messageId, cancellationToken);
            return (new ReadReceipt(me.Id, Format(messageId), MessagingTime.ToUtc(NowMs)), moved);
        }, cancellationToken);
        if (moved)
        {
            await events.ToConversationAsync(Format(id), MessagingEvents.Read, receipt, MessagingJsonContext.Default.ReadReceipt);
        }
        return receipt;
    }

    /// <summary>
    /// A page of messages going back in time: the <paramref name="limit"/> messages before cursor
    /// <paramref name="before"/> (the newest when null), oldest first. <c>next_cursor</c> is null when no older
    /// message is left.
    /// </summary>
    public async Task<MessagePage> GetMessagesAsync(HubbubUser me, string? conversation, string? before, int? limit,
        CancellationToken cancellationToken = default)
    {
        await users.TouchAsync(me, cancellationToken);
        var id = ParseConversation(conversation);
        var size = limit ?? Options.DefaultPageSize;
        if (size < 1 || size > Options.MaxPageSize)
        {
            throw HubbubException.BadRequest($"'limit' must be between 1 and {Options.MaxPageSize}");
        }
        long? cursor = null;
        if (before is not null)
        {
            cursor = TryParseId(before, out var c) ? c : throw HubbubException.BadRequest("'before' is not a cursor this server issued");
        }
        var rows = await database.InTransactionAsync(async tx =>
        {
            await RequireParticipantAsync(tx, id, me.Id, cancellationToken);
            // One more than asked tells whether an older page exists.
            return await MessagingStore.MessagesBeforeAsync(tx, id, cursor, size + 1, cancellationToken);
        }, cancellationToken);
        var more = rows.Count > size;
        var page = rows.Take(size).Reverse().Select(r => r.ToView()).ToList();
        return new MessagePage(page, more ? page[0].Id : null);
    }
}
