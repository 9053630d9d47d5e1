using System.Text.Json.Serialization.Metadata;
using Hubbub.Core;

namespace Hubbub.Features.Kit.Text;

/// <summary>
/// The one rule for the text fields of every feature's request, read from a REST body or from a WebSocket command's
/// <c>data</c> alike: a NUL (U+0000) in any of them is <c>bad_request</c> naming the field. Why here, once, and not in
/// each feature's checks: PostgreSQL text cannot hold NUL, so an id carrying one (an activity's, an auction's) failed
/// there as <c>internal</c> where SQLite found nothing. No feature stores, or looks up, a text with a NUL, so it is
/// refused before any feature runs: the same answer on both engines and both transports (a path cannot carry one:
/// the web server refuses it with 400). Free-form JSON a request carries (an activity's <c>data</c>) is no text field
/// here; it keeps its own rules.
/// </summary>
internal static class RequestText
{
    /// <summary><paramref name="request"/>, once none of its text fields (the string members of its JSON object) holds a NUL.</summary>
    public static T Checked<T>(T request, JsonTypeInfo<T> info)
    {
        if (request is null || info.Kind != JsonTypeInfoKind.Object)
        {
            return request;
        }
        var properties = info.Properties;
        for (var i = 0; i < properties.Count; i++) // by index: no enumerator per request
        {
            var property = properties[i];
            if (property.PropertyType == typeof(string) && property.Get is { } get && get(request) is string text && text.Contains('\0'))
            {
                throw HubbubException.BadRequest($"'{property.Name}' must not contain NUL characters");
            }
        }
        return request;
    }
}
