using System.Diagnostics.CodeAnalysis;
using Hubbub.Core.Channels;

namespace Hubbub.Features.Kit.Text;

/// <summary>The user ids a feature accepts: those that can own a <c>user:{id}</c> channel.</summary>
internal static class UserIds
{
    /// <summary>Longest user id accepted.</summary>
    public const int MaxLength = 128;

    /// <summary>1 to <see cref="MaxLength"/> of the channel-name characters (letters, digits and <c>_ - . : @ = , |</c>).</summary>
    public static bool IsValid([NotNullWhen(true)] string? user) => user is { Length: > 0 and <= MaxLength } && ChannelName.IsValidName(user);
}
