using Hubbub.Core;

namespace Hubbub.Features.Kit.Callers;

/// <summary>What the host tells the kit about an HTTP request's credentials; the host owns authentication.</summary>
public interface IRequestIdentity
{
    /// <summary>The user of a valid bearer token, or null.</summary>
    HubbubUser? UserOf(HttpContext http);

    /// <summary>Whether the request carries the server's <c>X-Api-Key</c>.</summary>
    bool HasServerKey(HttpContext http);

    /// <summary>
    /// Why a request that is neither a user's nor the server's is refused, in words that help fix it (e.g. the server has
    /// no API key configured, so every X-Api-Key is refused).
    /// </summary>
    string WhyUnauthenticated(HttpContext http) => "a bearer token or X-Api-Key is required";
}
