using System.Globalization;
using Hubbub.Core;
using Hubbub.Features.Kit.Declaring;
using Hubbub.Features.Kit.Http;
using static Hubbub.Features.Gamification.ChallengeJsonContext;

namespace Hubbub.Features.Gamification;

/// <summary>
/// <c>/api/challenges</c>: create (server/admin, 201), list (<c>?state=&amp;type=&amp;joined=&amp;before=&amp;limit=</c>),
/// read one with the caller's progress, join and leave (a user for themself, the server for the user it names), participants.
/// </summary>
internal static class ChallengeEndpoints
{
    public static void Map(RouteGroupBuilder group)
    {
        group.MapPost("/", CreateAsync).WithName("CreateChallenge")
            .WithSummary("Define a challenge {title, type, field?, goal, starts_at, ends_at, key?} (server/admin); a taken key answers its challenge (200)")
            .Accepts<ChallengeRequest>("application/json").Produces<ChallengeView>(StatusCodes.Status201Created).Errors(400, 401, 403, 413);
        group.MapGet("/", ListAsync).WithName("ListChallenges")
            .WithSummary("Challenges, newest first: ?state=upcoming|active|ended|current (not ended), ?type=, ?joined=true (mine), ?before=, ?limit=1..100")
            .Produces<ChallengeList>().Errors(400, 401, 403);
        group.MapGet("/{id}", GetAsync).WithName("GetChallenge")
            .WithSummary("A challenge with its participant count and my progress ('me'; the server names a user with ?user=)")
            .Produces<ChallengeView>().Errors(400, 401, 403, 404);
        group.MapPost("/{id}/join", JoinAsync).WithName("JoinChallenge")
            .WithSummary("Join (idempotent); the server names the user in the body or ?user=; 409 reason challenge_ended once it ended")
            .Accepts<ChallengeJoinRequest>("application/json").Produces<ChallengeView>().Errors(400, 401, 403, 404, 409, 413);
        group.MapDelete("/{id}/join", LeaveAsync).WithName("LeaveChallenge")
            .WithSummary("Leave (idempotent; progress is dropped); the server names the user in the body or ?user=; 409 reason challenge_ended once it ended")
            .Produces<ChallengeView>().Errors(400, 401, 403, 404, 409, 413);
        group.MapGet("/{id}/participants", ParticipantsAsync).WithName("ListChallengeParticipants")
            .WithSummary("Participants by progress, highest first (?limit=1..100, ?cursor=next_cursor or ?offset=next_offset)").Produces<ChallengeParticipantList>().Errors(400, 401, 404);
    }

    private static async Task<IResult> CreateAsync(FeatureCall call, ChallengeService challenges)
    {
        GamificationAccess.RequireServerOrAdmin(call);
        var (view, created) = await challenges.CreateAsync(await call.BodyAsync(Default.ChallengeRequest), call.Aborted);
        return FeatureCall.Json(view, Default.ChallengeView, created ? StatusCodes.Status201Created : StatusCodes.Status200OK);
    }

    private static async Task<IResult> ListAsync(FeatureCall call, ChallengeService challenges)
    {
        var joined = call.TextQuery("joined") switch
        {
            null or "false" => false,
            "true" => true,
            _ => throw Core.HubbubException.BadRequest("'joined' must be true or false"),
        };
        var viewer = await call.ViewerAsync();
        return FeatureCall.Json(await challenges.ListAsync(viewer, call.PageCursor(), call.TextQuery("state"), call.TextQuery("type"), joined,
            call.IntQuery("limit"), call.Aborted), Default.ChallengeList);
    }

    private static async Task<IResult> GetAsync(string id, FeatureCall call, ChallengeService challenges) =>
        FeatureCall.Json(await challenges.GetAsync(await call.ViewerAsync(), new ChallengeJoinRequest(id), call.Aborted), Default.ChallengeView);

    private static async Task<IResult> JoinAsync(string id, FeatureCall call, ChallengeService challenges)
    {
        var body = await call.OptionalBodyAsync(Default.ChallengeJoinRequest);
        if (body.Challenge is not null && body.Challenge != id)
        {
            throw Core.HubbubException.BadRequest("'challenge' in the body must be the one in the path (or left out)");
        }
        var me = await call.CallerAsync(body.User);
        return FeatureCall.Json(await challenges.JoinAsync(me, body with { Challenge = id }, call.Aborted), Default.ChallengeView);
    }

    private static async Task<IResult> LeaveAsync(string id, FeatureCall call, ChallengeService challenges)
    {
        var body = await call.OptionalBodyAsync(Default.ChallengeJoinRequest);
        if (body.Challenge is not null && body.Challenge != id)
        {
            throw Core.HubbubException.BadRequest("'challenge' in the body must be the one in the path (or left out)");
        }
        var me = await call.CallerAsync(body.User);
        return FeatureCall.Json(await challenges.LeaveAsync(me, body with { Challenge = id }, call.Aborted), Default.ChallengeView);
    }

    private static async Task<IResult> ParticipantsAsync(string id, FeatureCall call, ChallengeService challenges)
    {
        await call.ViewerAsync();
        return FeatureCall.Json(await challenges.ParticipantsAsync(id, Offset(call), call.IntQuery("limit"), call.Aborted),
            Default.ChallengeParticipantList);
    }

    /// <summary>
    /// Where the page starts: <c>?cursor=</c> (or <c>?before=</c>) as every list pages, the previous page's
    /// <c>next_cursor</c>; or <c>?offset=</c>, its <c>next_offset</c>. Both given and different is <c>bad_request</c>.
    /// </summary>
    private static int? Offset(FeatureCall call)
    {
        var offset = call.IntQuery("offset");
        if (call.PageCursor("cursor") is not { } cursor)
        {
            return offset;
        }
        if (!int.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out var at))
        {
            throw HubbubException.BadRequest("'cursor' is not a cursor of this list: pass the previous page's next_cursor");
        }
        return offset is null || offset == at
            ? at
            : throw HubbubException.BadRequest("pass the page position once: 'cursor' and 'offset' differ");
    }
}
