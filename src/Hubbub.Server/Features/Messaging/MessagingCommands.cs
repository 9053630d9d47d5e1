using Hubbub.Core;
using Hubbub.Core.Commands;
using static Hubbub.Server.Features.CommandData;

namespace Hubbub.Server.Features.Messaging;

/// <summary>
/// The <c>chat.*</c> WebSocket commands. Each parses its <c>data</c>, calls <see cref="MessagingService"/> (the
/// same calls as the REST endpoints) and replies with the same JSON the REST API returns.
/// </summary>
internal static class MessagingCommands
{
    public static IServiceCollection AddMessagingCommands(this IServiceCollection services) => services
        .AddHubbubCommand("chat.send", SendAsync)
        .AddHubbubCommand("chat.edit", EditAsync)
        .AddHubbubCommand("chat.delete", DeleteAsync)
        .AddHubbubCommand("chat.read", ReadAsync)
        .AddHubbubCommand("chat.conversations", ConversationsAsync)
        .AddHubbubCommand("chat.messages", MessagesAsync)
        .AddHubbubCommand("chat.create", CreateAsync);

    private static async ValueTask<byte[]?> SendAsync(CommandContext context, CancellationToken ct)
    {
        var r = Parse(context, MessagingJsonContext.Default.ChatCommandRequest);
        var (message, _) = await Service(context).SendAsync(context.User, r.Conversation, r.Text, r.ClientId, ct);
        return Reply(message, MessagingJsonContext.Default.MessageView);
    }

    private static async ValueTask<byte[]?> EditAsync(CommandContext context, CancellationToken ct)
    {
        var r = Parse(context, MessagingJsonContext.Default.ChatCommandRequest);
        return Reply(await Service(context).EditAsync(context.User, r.Conversation, r.Message, r.Text, ct), MessagingJsonContext.Default.MessageView);
    }

    private static async ValueTask<byte[]?> DeleteAsync(CommandContext context, CancellationToken ct)
    {
        var r = Parse(context, MessagingJsonContext.Default.ChatCommandRequest);
        return Reply(await Service(context).DeleteAsync(context.User, r.Conversation, r.Message, ct), MessagingJsonContext.Default.MessageView);
    }

    private static async ValueTask<byte[]?> ReadAsync(CommandContext context, CancellationToken ct)
    {
        var r = Parse(context, MessagingJsonContext.Default.ChatCommandRequest);
        return Reply(await Service(context).MarkReadAsync(context.User, r.Conversation, r.Message, ct), MessagingJsonContext.Default.ReadReceipt);
    }

    private static async ValueTask<byte[]?> ConversationsAsync(CommandContext context, CancellationToken ct) =>
        Reply(await Service(context).ListConversationsAsync(context.User, ct), MessagingJsonContext.Default.ConversationList);

    private static async ValueTask<byte[]?> MessagesAsync(CommandContext context, CancellationToken ct)
    {
        var r = Parse(context, MessagingJsonContext.Default.ChatCommandRequest);
        return Reply(await Service(context).GetMessagesAsync(context.User, r.Conversation, r.Before, r.Limit, ct), MessagingJsonContext.Default.MessagePage);
    }

    private static async ValueTask<byte[]?> CreateAsync(CommandContext context, CancellationToken ct)
    {
        var r = Parse(context, MessagingJsonContext.Default.CreateConversationRequest);
        var (conversation, _) = await Service(context).CreateConversationAsync(context.User, r, ct);
        return Reply(conversation, MessagingJsonContext.Default.ConversationView);
    }

    private static MessagingService Service(CommandContext context) => context.Services.GetRequiredService<MessagingService>();
}
