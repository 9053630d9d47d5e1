using Hubbub.Core;
using Hubbub.Protocol;

namespace Hubbub.Server.Access;

/// <summary>
/// The app's backend did not give an answer Hubbub can use: the client gets <c>internal</c> (retry) with a
/// <c>reason</c> saying which, never a refusal it would take as final.
/// </summary>
internal static class ProxyFailure
{
    /// <summary>The backend could not be reached (connection refused, DNS, TLS).</summary>
    public const string Unavailable = "proxy_unavailable";

    /// <summary>The backend did not answer within <see cref="ProxyOptions.TimeoutMs"/>.</summary>
    public const string Timeout = "proxy_timeout";

    /// <summary>The backend answered something else than an allow or a refusal (5xx, garbage, a body too large).</summary>
    public const string BadAnswer = "proxy_error";

    /// <summary>The refusal sent to the client.</summary>
    public static HubbubException ToClient(string reason) => new(ErrorCodes.Internal, reason, reason switch
    {
        Timeout => "the app's authorization backend did not answer in time; try again",
        Unavailable => "the app's authorization backend is unavailable; try again",
        _ => "the app's authorization backend gave no usable answer; try again",
    });
}
