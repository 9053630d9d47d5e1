using System.Diagnostics.CodeAnalysis;
using Hubbub.Core.Channels;

namespace Hubbub.Features.Kit.Text;

/// <summary>
/// The one rule for user ids, wherever one enters: a token's <c>sub</c> (both <c>/ws</c> doors and the REST API,
/// see the host's <c>TokenRules</c>), the <c>token</c> verb, and the user ids features take in requests.
/// A valid id can own a <c>user:{id}</c> channel, and it is stored and compared as given (case-sensitive).
/// </summary>
internal static class UserIds
{
    /// <summary>Longest user id accepted.</summary>
    public const int MaxLength = 128;

    /// <summary>
    /// 1 to <see cref="MaxLength"/> of the channel-name characters: ASCII letters, digits and <c>_ - . : @ = , |</c>
    /// (so <c>auth0|5f7c</c> or <c>google-oauth2|1234</c> pass; spaces, <c>*</c>, <c>/</c>, control characters and
    /// anything outside ASCII do not), other than <see cref="Caller"/>.
    /// </summary>
    public static bool IsValid([NotNullWhen(true)] string? user) =>
        user is { Length: > 0 and <= MaxLength } && user != Caller && ChannelName.IsValidName(user);

    /// <summary>
    /// The word a path uses for its caller (<c>/api/users/me/profile</c>), so never a user's id: data kept for a user
    /// named <c>me</c> could not be read back by anyone.
    /// </summary>
    public const string Caller = "me";

    /// <summary>The refusal of an id breaking <see cref="IsValid"/>, naming the request's <paramref name="field"/>.</summary>
    public static string Rule(string field) =>
        $"'{field}' must be a user id of 1-{MaxLength} letters, digits and _ - . : @ = , | (not '{Caller}', which names the caller)";
}

/// <summary>The rule for display names (a token's <c>name</c>), which messaging stores and every event shows.</summary>
internal static class DisplayNames
{
    /// <summary>Longest display name accepted.</summary>
    public const int MaxLength = 128;

    /// <summary>
    /// At most <see cref="MaxLength"/> UTF-16 characters, no control characters (U+0000–U+001F, U+007F–U+009F: NUL
    /// cannot be stored in PostgreSQL text, and line breaks have no place in a name) and no unpaired surrogate. A name
    /// breaking this is refused, not repaired, so what others see is always what the token said.
    /// </summary>
    public static bool IsValid(string name)
    {
        if (name.Length > MaxLength)
        {
            return false;
        }
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsControl(c))
            {
                return false;
            }
            if (char.IsSurrogate(c))
            {
                if (!char.IsHighSurrogate(c) || i + 1 == name.Length || !char.IsLowSurrogate(name[i + 1]))
                {
                    return false;
                }
                i++;
            }
        }
        return true;
    }
}
