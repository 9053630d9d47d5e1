using Hubbub.Core;
using Hubbub.Features.Kit;

namespace Hubbub.Features.Messaging;

public sealed partial class MessagingService
{
    /// <summary>
    /// Stores a message and publishes <c>message</c> after the commit. With a <c>client_id</c> a retry by the same sender
    /// in the same conversation returns the first answer (<c>Created</c> false) and changes and publishes nothing.
    /// </summary>
    public async Task<(MessageView Message, bool Created)> SendAsync(HubbubUser me, SendMessageRequest request,
        CancellationToken cancellationToken = default)
    {
        var id = ParseConversation(request.Conversation);
        var text = ValidText(request.Text);
        var clientId = ValidClientId(request.ClientId);
        rateLimiter.Take("messages", me.Id, Options.SendsPerSecond, Options.SendBurst);
        var (message, duplicate) = await database.WriteAsync(async tx =>
        {
            await RequireParticipantAsync(tx, id, me.Id, cancellationToken);
            return clientId is null
                ? (await InsertAsync(tx, me, id, text, clientId, cancellationToken), false)
                : await tx.OnceAsync($"chat.send:{id}:{me.Id}", clientId, MessagingJsonContext.Default.MessageView,
                    () => InsertAsync(tx, me, id, text, clientId, cancellationToken), cancellationToken);
        }, cancellationToken);
        return (message, !duplicate);
    }

    private static async Task<MessageView> InsertAsync(FeatureTransaction tx, HubbubUser me, long id, string text, string? clientId, CancellationToken ct)
    {
        var messageId = await MessagingStore.InsertMessageAsync(tx, id, me.Id, text, clientId, tx.NowMs, ct);
        await MessagingStore.TouchConversationAsync(tx, id, tx.NowMs, ct);
        // What you wrote you have read.
        await MessagingStore.MarkReadAsync(tx, id, me.Id, messageId, ct);
        var view = (await MessagingStore.FindMessageAsync(tx, id, messageId, ct))!.ToView();
        await tx.PublishAsync(MessagingEvents.ConversationChannel(view.Conversation), MessagingEvents.Message, view,
            MessagingJsonContext.Default.MessageView, ct);
        await tx.AnnounceAsync(MessagingEvents.MessageSent, view, ct);
        return view;
    }

    /// <summary>Replaces the text of the caller's own message, then publishes <c>message_edited</c>.</summary>
    public async Task<MessageView> EditAsync(HubbubUser me, MessageRequest request, CancellationToken cancellationToken = default)
    {
        var id = ParseConversation(request.Conversation);
        var messageId = ParseMessage(request.Message);
        var text = ValidText(request.Text);
        return await database.WriteAsync(async tx =>
        {
            var row = await OwnMessageAsync(tx, id, messageId, me, cancellationToken);
            if (row.Deleted != 0)
            {
                throw HubbubException.Conflict("a deleted message cannot be edited");
            }
            await MessagingStore.EditMessageAsync(tx, messageId, text, tx.NowMs, cancellationToken);
            return await PublishAsync(tx, id, messageId, MessagingEvents.MessageEdited, cancellationToken);
        }, cancellationToken);
    }

    private static async Task<MessageView> PublishAsync(FeatureTransaction tx, long id, long messageId, string type, CancellationToken ct)
    {
        var view = (await MessagingStore.FindMessageAsync(tx, id, messageId, ct))!.ToView();
        await tx.PublishAsync(MessagingEvents.ConversationChannel(view.Conversation), type, view, MessagingJsonContext.Default.MessageView, ct);
        return view;
    }

    /// <summary>Deletes the caller's own message (its text is gone), then publishes <c>message_deleted</c>; deleting twice is a no-op.</summary>
    public async Task<MessageView> DeleteAsync(HubbubUser me, MessageRequest request, CancellationToken cancellationToken = default)
    {
        var id = ParseConversation(request.Conversation);
        var messageId = ParseMessage(request.Message);
        return await database.WriteAsync(async tx =>
        {
            var row = await OwnMessageAsync(tx, id, messageId, me, cancellationToken);
            if (row.Deleted != 0)
            {
                return row.ToView();
            }
            await MessagingStore.DeleteMessageAsync(tx, messageId, cancellationToken);
            return await PublishAsync(tx, id, messageId, MessagingEvents.MessageDeleted, cancellationToken);
        }, cancellationToken);
    }

    private static async Task<MessageRow> OwnMessageAsync(Hubbub.Storage.DatabaseTransaction tx, long id, long messageId, HubbubUser me, CancellationToken ct)
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
    public async Task<ReadReceipt> MarkReadAsync(HubbubUser me, ReadRequest request, CancellationToken cancellationToken = default)
    {
        var id = ParseConversation(request.Conversation);
        var messageId = ParseMessage(request.Target);
        return await database.WriteAsync(async tx =>
        {
            await RequireParticipantAsync(tx, id, me.Id, cancellationToken);
            _ = await MessagingStore.FindMessageAsync(tx, id, messageId, cancellationToken) ?? throw HubbubException.NotFound("message not found");
            if (await MessagingStore.MarkReadAsync(tx, id, me.Id, messageId, cancellationToken))
            {
                var receipt = new ReadReceipt(me.Id, Format(messageId), MessagingTime.ToUtc(tx.NowMs));
                await tx.PublishAsync(MessagingEvents.ConversationChannel(Format(id)), MessagingEvents.Read, receipt,
                    MessagingJsonContext.Default.ReadReceipt, cancellationToken);
                return receipt;
            }
            // The marker never moves back: reading an older message (or the same again) answers where it stands.
            return new ReadReceipt(me.Id, Format(await MessagingStore.ReadMarkerAsync(tx, id, me.Id, cancellationToken)), MessagingTime.ToUtc(tx.NowMs));
        }, cancellationToken);
    }

    /// <summary>
    /// A page of messages going back in time: the <c>limit</c> messages before cursor
    /// <c>before</c> (the newest when null), oldest first. <c>next_cursor</c> is null when no older
    /// message is left.
    /// </summary>
    public async Task<MessagePage> GetMessagesAsync(HubbubUser me, ConversationRequest request, CancellationToken cancellationToken = default)
    {
        var id = ParseConversation(request.Conversation);
        var (before, size) = (request.Before, request.Limit ?? Options.DefaultPageSize);
        if (size < 1 || size > Options.MaxPageSize)
        {
            throw HubbubException.BadRequest($"'limit' must be between 1 and {Options.MaxPageSize}");
        }
        long? cursor = null;
        if (before is not null)
        {
            cursor = TryParseId(before, out var c) ? c : throw HubbubException.BadRequest("'before' is not a cursor this server issued");
        }
        var rows = await database.ReadAsync(async tx =>
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
