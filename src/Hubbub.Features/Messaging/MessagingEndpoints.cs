using Hubbub.Features.Kit.Declaring;
using Hubbub.Features.Kit.Http;
using static Hubbub.Features.Messaging.MessagingJsonContext;

namespace Hubbub.Features.Messaging;

/// <summary>The messaging REST API under <c>/api/conversations</c>; the path's ids go into the same records the commands read.</summary>
internal static class MessagingEndpoints
{
    public static void Map(RouteGroupBuilder conversations)
    {
        conversations.MapPost("/", CreateAsync).WithName("CreateConversation")
            .WithSummary("Create a conversation (an existing direct one is returned with 200)")
            .Accepts<CreateConversationRequest>("application/json")
            .Produces<ConversationView>(StatusCodes.Status201Created).Produces<ConversationView>()
            .Errors(400, 401, 413, 429);
        conversations.MapGet("/", ListAsync).WithName("ListConversations")
            .WithSummary("A page of my conversations, newest activity first; ?before=cursor&limit=1..100")
            .Produces<ConversationList>().Errors(400, 401);
        conversations.MapGet("/{id}", GetAsync).WithName("GetConversation")
            .WithSummary("One conversation").Produces<ConversationView>().Errors(401, 403, 404);
        conversations.MapPost("/{id}/participants", AddParticipantsAsync).WithName("AddParticipants")
            .WithSummary("Add users to a group conversation").Accepts<AddParticipantsRequest>("application/json")
            .Produces<ConversationView>().Errors(400, 401, 403, 404, 413);
        conversations.MapDelete("/{id}/participants/me", LeaveAsync).WithName("LeaveConversation")
            .WithSummary("Leave a conversation").Produces(StatusCodes.Status204NoContent).Errors(401, 403, 404);
        conversations.MapGet("/{id}/messages", MessagesAsync).WithName("ListMessages")
            .WithSummary("A page of messages going back in time (oldest first); ?before=cursor&limit=1..100")
            .Produces<MessagePage>().Errors(400, 401, 403, 404);
        conversations.MapPost("/{id}/messages", SendAsync).WithName("SendMessage")
            .WithSummary("Send a message (a retry with the same client_id returns the first with 200)")
            .Accepts<SendMessageRequest>("application/json")
            .Produces<MessageView>(StatusCodes.Status201Created).Produces<MessageView>().Errors(400, 401, 403, 404, 413, 429);
        conversations.MapPatch("/{id}/messages/{messageId}", EditAsync).WithName("EditMessage")
            .WithSummary("Edit your own message").Accepts<MessageRequest>("application/json")
            .Produces<MessageView>().Errors(400, 401, 403, 404, 409, 413);
        conversations.MapDelete("/{id}/messages/{messageId}", DeleteAsync).WithName("DeleteMessage")
            .WithSummary("Delete your own message").Produces<MessageView>().Errors(401, 403, 404);
        conversations.MapPost("/{id}/read", ReadAsync).WithName("MarkRead")
            .WithSummary("Mark the conversation read up to a message").Accepts<ReadRequest>("application/json")
            .Produces<ReadReceipt>().Errors(400, 401, 403, 404);
    }

    private static async Task<IResult> CreateAsync(FeatureCall call, MessagingService service)
    {
        var (body, me) = await call.BodyAndCallerAsync(Default.CreateConversationRequest);
        var (conversation, created) = await service.CreateConversationAsync(me, body, call.Aborted);
        return FeatureCall.Json(conversation, Default.ConversationView, created ? StatusCodes.Status201Created : StatusCodes.Status200OK);
    }

    private static async Task<IResult> ListAsync(FeatureCall call, MessagingService service) =>
        FeatureCall.Json(await service.ListConversationsAsync(await call.CallerAsync(),
            new ConversationRequest(null, call.PageCursor(), call.IntQuery("limit")), call.Aborted), Default.ConversationList);

    private static async Task<IResult> GetAsync(string id, FeatureCall call, MessagingService service) =>
        FeatureCall.Json(await service.GetConversationAsync(await call.CallerAsync(), id, call.Aborted), Default.ConversationView);

    private static async Task<IResult> AddParticipantsAsync(string id, FeatureCall call, MessagingService service)
    {
        var (body, me) = await call.BodyAndCallerAsync(Default.AddParticipantsRequest);
        return FeatureCall.Json(await service.AddParticipantsAsync(me, body with { Conversation = id }, call.Aborted), Default.ConversationView);
    }

    private static async Task<IResult> LeaveAsync(string id, FeatureCall call, MessagingService service)
    {
        await service.LeaveAsync(await call.CallerAsync(), id, call.Aborted);
        return TypedResults.NoContent();
    }

    private static async Task<IResult> MessagesAsync(string id, FeatureCall call, MessagingService service) =>
        FeatureCall.Json(await service.GetMessagesAsync(await call.CallerAsync(), new ConversationRequest(id, call.PageCursor(), call.IntQuery("limit")),
            call.Aborted),
            Default.MessagePage);

    private static async Task<IResult> SendAsync(string id, FeatureCall call, MessagingService service)
    {
        var (body, me) = await call.BodyAndCallerAsync(Default.SendMessageRequest);
        var (message, created) = await service.SendAsync(me, body with { Conversation = id }, call.Aborted);
        return FeatureCall.Json(message, Default.MessageView, created ? StatusCodes.Status201Created : StatusCodes.Status200OK);
    }

    private static async Task<IResult> EditAsync(string id, string messageId, FeatureCall call, MessagingService service)
    {
        var (body, me) = await call.BodyAndCallerAsync(Default.MessageRequest);
        return FeatureCall.Json(await service.EditAsync(me, body with { Conversation = id, Message = messageId }, call.Aborted), Default.MessageView);
    }

    private static async Task<IResult> DeleteAsync(string id, string messageId, FeatureCall call, MessagingService service) =>
        FeatureCall.Json(await service.DeleteAsync(await call.CallerAsync(), new MessageRequest(null, id, messageId), call.Aborted), Default.MessageView);

    private static async Task<IResult> ReadAsync(string id, FeatureCall call, MessagingService service)
    {
        var (body, me) = await call.BodyAndCallerAsync(Default.ReadRequest);
        return FeatureCall.Json(await service.MarkReadAsync(me, body with { Conversation = id }, call.Aborted), Default.ReadReceipt);
    }
}
