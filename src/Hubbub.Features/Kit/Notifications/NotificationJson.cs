using System.Text.Encodings.Web;
using System.Text.Json;
using Hubbub.Features.Kit.Text;

namespace Hubbub.Features.Kit.Notifications;

/// <summary>
/// A kept notification's live event (<see cref="NotificationView"/> as JSON), written from its stored parts. Why: the
/// view holds its data as a <see cref="JsonElement"/>, so publishing a notification parsed its data into a document only
/// to write it out again (gamification's ~10 <c>overtaken</c> notices per event, on the SQLite writer thread). Data
/// the kit serialized compact with the default encoder is written as it is, which is byte for byte what writing the
/// parsed element gives (the same escaping of the same strings, numbers as written); other data goes through the view.
/// </summary>
internal static class NotificationJson
{
    /// <summary>Whether JSON serialized with <paramref name="options"/> is compact and escaped as the kit's writer escapes.</summary>
    public static bool IsCanonical(JsonSerializerOptions options) =>
        (options.Encoder is null || ReferenceEquals(options.Encoder, JavaScriptEncoder.Default)) && !options.WriteIndented;

    /// <summary>The live event of the new unread notification <paramref name="id"/>, made at <paramref name="nowMs"/>.</summary>
    public static string Live(long id, NewNotification notice, long nowMs)
    {
        var createdAt = DateTimeOffset.FromUnixTimeMilliseconds(nowMs).UtcDateTime;
        if (!notice.Canonical)
        {
            var view = new NotificationView(id.ToString(System.Globalization.CultureInfo.InvariantCulture), notice.Type,
                JsonSerializer.Deserialize(notice.Data, KitJsonContext.Default.JsonElement), createdAt, false);
            return JsonSerializer.Serialize(view, KitJsonContext.Default.NotificationView);
        }
        return JsonText.Write((id, notice, createdAt), 96 + notice.Type.Length + notice.Data.Length, static (json, state) =>
        {
            var (id, notice, createdAt) = state;
            // The properties of NotificationView, in its order and with its names.
            Span<char> digits = stackalloc char[20];
            id.TryFormat(digits, out var length, default, System.Globalization.CultureInfo.InvariantCulture);
            json.WriteStartObject();
            json.WriteString("id", digits[..length]);
            json.WriteString("type", notice.Type);
            json.WritePropertyName("data");
            json.WriteRawValue(notice.Data);
            json.WriteString("created_at", createdAt);
            json.WriteBoolean("read", false);
            json.WriteEndObject();
        });
    }
}
