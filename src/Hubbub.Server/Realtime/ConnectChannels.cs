using Microsoft.AspNetCore.WebUtilities;

namespace Hubbub.Server.Realtime;

/// <summary>
/// Reads the channels a connect asks to be subscribed to: the upgrade's (or the event stream's) <c>subscribe</c> query
/// parameters, one channel each, repeated for more (<c>?subscribe=user:42&amp;subscribe=room:7</c>), decoded as the
/// query's other values are. Not a comma-separated list: a comma may be part of a channel's name. Empty values are
/// skipped. Names are not judged here: each goes through the subscribe path, which answers a bad or forbidden one in
/// the welcome, per channel. Only the count refuses the whole connect (400): a client that asks for more than
/// <see cref="Core.HubbubOptions.MaxSubscriptionsAtConnect"/> at once is broken or hostile, and each channel may cost a
/// proxy call.
/// </summary>
internal static class ConnectChannels
{
    private const string Name = "subscribe";

    /// <summary>
    /// The channels asked for (null when none), or false with the refusal's message when there are more than
    /// <paramref name="max"/> (a repeated name counted each time: the count bounds the work before anything else).
    /// </summary>
    public static bool TryRead(ReadOnlyMemory<char> query, int max, out List<string>? channels, out string? error)
    {
        channels = null;
        error = null;
        foreach (var pair in new QueryStringEnumerable(query))
        {
            if (!pair.DecodeName().Span.Equals(Name, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            var value = pair.DecodeValue();
            if (value.IsEmpty)
            {
                continue;
            }
            channels ??= [];
            if (channels.Count == max)
            {
                channels = null;
                error = $"a connect may subscribe to at most {max} channels; subscribe to the others with subscribe frames";
                return false;
            }
            channels.Add(value.ToString());
        }
        return true;
    }
}
