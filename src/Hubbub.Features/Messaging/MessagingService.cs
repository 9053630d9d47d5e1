using System.Globalization;
using Hubbub.Core;
using Hubbub.Features.Kit;
using Hubbub.Features.Kit.Text;
using Hubbub.Features.Kit.Users;
using Hubbub.Storage;
using Microsoft.Extensions.Options;

namespace Hubbub.Features.Messaging;

/// <summary>
/// The messaging domain: conversations, participants, messages and read receipts. REST endpoints and WebSocket
/// commands both call this, so they validate, refuse and publish alike. Events are written with the change (the kit's
/// outbox) and published after the commit. Refusals are <see cref="HubbubException"/>s with protocol error codes.
/// </summary>
public sealed partial class MessagingService(
    FeatureDatabase database,
    ActionRateLimiter rateLimiter,
    IOptions<MessagingOptions> options,
    ContactlessUsers contactless)
{
    /// <summary>Longest user id accepted as a participant.</summary>
    public const int MaxUserIdLength = UserIds.MaxLength;

    private MessagingOptions Options => options.Value;

    /// <summary>May <paramref name="user"/> see conversation <paramref name="conversation"/> (its channel, its messages)?</summary>
    public static async Task<bool> IsParticipantAsync(IDatabase database, string user, string conversation, CancellationToken cancellationToken = default) =>
        TryParseId(conversation, out var id)
        && await database.ReadAsync(tx => MessagingStore.IsParticipantAsync(tx, id, user, cancellationToken), cancellationToken);

    /// <summary>Whether the conversation exists (an id that is no number does not).</summary>
    public static async Task<bool> ExistsAsync(IDatabase database, string conversation, CancellationToken cancellationToken = default) =>
        TryParseId(conversation, out var id)
        && await database.ReadAsync(tx => MessagingStore.FindConversationAsync(tx, id, cancellationToken), cancellationToken) is not null;

    /// <summary>Refuses unless the conversation exists (<c>not_found</c>) and the user takes part (<c>forbidden</c>).</summary>
    private static async Task<ConversationRow> RequireParticipantAsync(DatabaseTransaction tx, long id, string user, CancellationToken ct)
    {
        var conversation = await MessagingStore.FindConversationAsync(tx, id, ct)
            ?? throw HubbubException.NotFound("conversation not found");
        if (!await MessagingStore.IsParticipantAsync(tx, id, user, ct))
        {
            throw HubbubException.Forbidden("you are not a participant of this conversation");
        }
        return conversation;
    }

    /// <summary>
    /// The conversations as <paramref name="viewer"/> sees them (their unread counts), or as an event shows them to
    /// everyone when <paramref name="viewer"/> is null (unread count 0: each client keeps its own).
    /// </summary>
    private static async Task<List<ConversationView>> ViewsAsync(DatabaseTransaction tx, List<ConversationRow> rows, string? viewer, CancellationToken ct)
    {
        if (rows.Count == 0)
        {
            return [];
        }
        var ids = rows.Select(r => r.Id).ToArray();
        var participants = (await MessagingStore.ParticipantsAsync(tx, ids, ct)).ToLookup(p => p.ConversationId);
        var last = (await MessagingStore.LastMessagesAsync(tx, ids, ct)).ToDictionary(m => m.ConversationId);
        var unread = viewer is null
            ? []
            : (await MessagingStore.UnreadCountsAsync(tx, viewer, ids, ct)).ToDictionary(c => c.ConversationId, c => c.Count);
        return [.. rows.Select(r => new ConversationView(
            Format(r.Id),
            r.Kind,
            r.Title,
            [.. participants[r.Id].Select(p => new UserRef(p.UserId, p.Name))],
            MessagingTime.ToUtc(r.CreatedMs),
            last.GetValueOrDefault(r.Id)?.ToView(),
            unread.GetValueOrDefault(r.Id)))];
    }

    private static async Task<ConversationView> ViewAsync(DatabaseTransaction tx, long id, string? viewer, CancellationToken ct)
    {
        var row = await MessagingStore.FindConversationAsync(tx, id, ct) ?? throw HubbubException.NotFound("conversation not found");
        return (await ViewsAsync(tx, [row], viewer, ct))[0];
    }

    /// <summary>Parses a conversation id; an id that cannot exist is <c>not_found</c>, as an unknown one is.</summary>
    private static long ParseConversation(string? value) =>
        value is null ? throw HubbubException.BadRequest("a conversation id is required") : TryParseId(value, out var id) ? id : throw HubbubException.NotFound("conversation not found");

    private static long ParseMessage(string? value) =>
        value is null ? throw HubbubException.BadRequest("a message id is required")
        : TryParseId(value, out var id) ? id : throw HubbubException.NotFound("message not found");

    /// <summary>
    /// An id in its one canonical form, as <see cref="Format"/> writes it: digits without a leading zero. <c>01</c> is
    /// refused rather than read as 1, so <c>conversation:01</c> is not a second channel of conversation 1 (its
    /// subscribers would miss every event published on <c>conversation:1</c>).
    /// </summary>
    private static bool TryParseId(string? value, out long id) =>
        long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out id) && id > 0 && value![0] != '0';

    private static string Format(long id) => id.ToString(CultureInfo.InvariantCulture);

    private string ValidText(string? text)
    {
        if (text is null)
        {
            throw HubbubException.BadRequest("'text' is required");
        }
        if (text.Length > Options.MaxMessageLength)
        {
            throw HubbubException.TooLarge($"'text' is longer than {Options.MaxMessageLength} characters");
        }
        if (string.IsNullOrWhiteSpace(text))
        {
            throw HubbubException.BadRequest("'text' must not be empty or only whitespace");
        }
        StoredText.Check(text, "text");
        // Stored and delivered verbatim: clients render it as text, never as markup.
        return text;
    }

    private string? ValidClientId(string? clientId)
    {
        if (clientId is null)
        {
            return null;
        }
        if (clientId.Length == 0 || clientId.Length > Options.MaxClientIdLength || clientId.Any(char.IsControl))
        {
            throw HubbubException.BadRequest($"'client_id' must be 1-{Options.MaxClientIdLength} characters without control characters");
        }
        return clientId;
    }

    private static void CheckUserId(string? user, string field) =>
        // A participant must be able to own a `user:{id}` channel.
        UserDirectory.CheckUserId(user, field);
}
