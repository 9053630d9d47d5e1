using System.Globalization;
using System.Text.Json.Serialization.Metadata;
using Hubbub.Core;
using Hubbub.Features.Kit.Callers;
using Hubbub.Features.Kit.Http;
using Hubbub.Features.Kit.Text;

namespace Hubbub.Features.Kit.Declaring;

/// <summary>
/// One REST call to a feature, bound as an endpoint parameter: its body read with the feature's size bound and
/// refusals in the protocol's terms, and the user it acts as (<see cref="CallerResolver"/>).
/// </summary>
public sealed class FeatureCall
{
    private readonly CallerResolver _callers;

    private FeatureCall(HttpContext http, CallerResolver callers)
    {
        Http = http;
        _callers = callers;
    }

    /// <summary>The request.</summary>
    public HttpContext Http { get; }

    /// <summary>The request's cancellation.</summary>
    public CancellationToken Aborted => Http.RequestAborted;

    /// <summary>Minimal APIs bind the parameter through this.</summary>
    public static ValueTask<FeatureCall?> BindAsync(HttpContext http) =>
        ValueTask.FromResult<FeatureCall?>(new FeatureCall(http, http.RequestServices.GetRequiredService<CallerResolver>()));

    /// <summary>Whether the call comes from the server (<c>X-Api-Key</c>) or an admin token (<see cref="CallerResolver.IsServerOrAdmin"/>).</summary>
    public bool IsServerOrAdmin => _callers.IsServerOrAdmin(Http);

    /// <summary>Refuses (<c>forbidden</c>) a call that is neither the server's nor an admin's: definitions are theirs alone.</summary>
    public void RequireServerOrAdmin()
    {
        if (!IsServerOrAdmin)
        {
            throw HubbubException.Forbidden("only the server (X-Api-Key) or an admin may do this");
        }
    }

    /// <summary>
    /// Reads the JSON body (bounded by the feature's <c>MaxBodyBytes</c>); a text field holding a NUL is <c>bad_request</c>
    /// (<see cref="RequestText"/>, as a WebSocket command's <c>data</c>).
    /// </summary>
    public async Task<T> BodyAsync<T>(JsonTypeInfo<T> info)
    {
        var limit = Http.GetEndpoint()?.Metadata.GetMetadata<FeatureBodyLimit>()?.Bytes ?? FeatureBodyLimit.Default;
        return RequestText.Checked(await JsonBody.ReadAsync(Http.Request, info, limit, Aborted), info);
    }

    /// <summary>Reads the JSON body like <see cref="BodyAsync{T}"/>, but an empty body reads as <c>{}</c> (every field optional).</summary>
    public async Task<T> OptionalBodyAsync<T>(JsonTypeInfo<T> info)
    {
        var limit = Http.GetEndpoint()?.Metadata.GetMetadata<FeatureBodyLimit>()?.Bytes ?? FeatureBodyLimit.Default;
        return RequestText.Checked(await JsonBody.ReadAsync(Http.Request, info, limit, Aborted, optional: true), info);
    }

    /// <summary>
    /// The acting user: the one the call names (<paramref name="named"/>, from the body, else <c>?user=</c>; both, differing,
    /// is <c>bad_request</c>); for a server call naming nobody, <paramref name="serverDefault"/> (a user the path names), if any.
    /// </summary>
    public ValueTask<HubbubUser> CallerAsync(string? named = null, string? serverDefault = null) =>
        ActingCallerAsync(named, serverDefault, "user");

    private ValueTask<HubbubUser> ActingCallerAsync(string? named, string? serverDefault, string actingField) =>
        _callers.ForRequestAsync(Http, CallerResolver.NamedUser(Http, named, actingField), serverDefault, actingField, Aborted);

    /// <summary>
    /// The reader of a public read: as <see cref="CallerAsync"/>, but a server call naming nobody reads as
    /// <see cref="CallerResolver.ServerViewer"/> instead of being refused.
    /// </summary>
    public ValueTask<HubbubUser> ViewerAsync() =>
        _callers.ViewerForRequestAsync(Http, Http.Request.Query.TryGetValue("user", out var q) ? q.ToString() : null, Aborted);

    /// <summary>Reads the body and resolves the user it names (or <c>?user=</c>).</summary>
    public async Task<(T Body, HubbubUser Caller)> BodyAndCallerAsync<T>(JsonTypeInfo<T> info) where T : IActingRequest
    {
        var body = await BodyAsync(info);
        return (body, await ActingCallerAsync(body.User, null, T.ActingField));
    }

    /// <summary>As <see cref="BodyAndCallerAsync{T}"/>, for a body whose every field is optional: none reads as <c>{}</c>.</summary>
    public async Task<(T Body, HubbubUser Caller)> OptionalBodyAndCallerAsync<T>(JsonTypeInfo<T> info) where T : IActingRequest
    {
        var body = await OptionalBodyAsync(info);
        return (body, await ActingCallerAsync(body.User, null, T.ActingField));
    }

    /// <summary>
    /// An optional text query parameter (<c>?before=</c>, <c>?state=</c>): its value, or null when absent or empty — an
    /// empty parameter is no parameter, since FEATURES.md itself writes the lists as <c>?before=&amp;limit=</c>.
    /// </summary>
    public string? TextQuery(string name) =>
        Http.Request.Query.TryGetValue(name, out var value) && value.ToString() is { Length: > 0 } text ? text : null;

    /// <summary>
    /// A list's page cursor, the previous page's <c>next_cursor</c>: <c>?before=</c>, the name FEATURES.md gives every
    /// list, or <c>?cursor=</c>, the name of the answer's field, so a client that pages every list alike never reads
    /// the first page again. A list whose cursor has another natural name (venues go up by id: <c>?after=</c>) passes
    /// it first. Two of them with different values is <c>bad_request</c>.
    /// </summary>
    public string? PageCursor(string name = "before")
    {
        string? found = null;
        string? foundName = null;
        foreach (var candidate in (ReadOnlySpan<string>)[name, "before", "cursor"])
        {
            if (TextQuery(candidate) is not { } value)
            {
                continue;
            }
            if (found is not null && value != found)
            {
                throw HubbubException.BadRequest($"pass the page cursor once: '{foundName}' and '{candidate}' differ");
            }
            (found, foundName) = (value, candidate);
        }
        return found;
    }

    /// <summary>An optional whole-number query parameter (absent or empty: null); anything else is <c>bad_request</c>.</summary>
    public int? IntQuery(string name) =>
        TextQuery(name) is not { } value ? null
        : int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n
        : throw HubbubException.BadRequest($"'{name}' must be a whole number");

    /// <summary>A JSON answer with <paramref name="status"/>.</summary>
    public static IResult Json<T>(T value, JsonTypeInfo<T> info, int status = StatusCodes.Status200OK) =>
        TypedResults.Json(value, info, statusCode: status);
}

/// <summary>Endpoint metadata: the largest request body of a feature's REST group.</summary>
/// <param name="Bytes">The bound.</param>
public sealed record FeatureBodyLimit(int Bytes)
{
    /// <summary>When no feature set one.</summary>
    public const int Default = 64 * 1024;
}
