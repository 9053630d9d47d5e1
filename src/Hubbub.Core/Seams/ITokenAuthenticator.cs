namespace Hubbub.Core.Seams;

/// <summary>
/// Checks a token a connected client sends with <c>refresh</c>, exactly as the host checks one at the upgrade
/// (signature, lifetime, issuer, audience, claim rules). The host provides it; without one, <c>refresh</c> is refused.
/// </summary>
public interface ITokenAuthenticator
{
    /// <summary>The user the token signs in, or null when it is not valid (malformed, wrongly signed, expired…).</summary>
    Task<HubbubUser?> AuthenticateAsync(string token);
}
