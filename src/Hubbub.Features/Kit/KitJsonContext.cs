using System.Text.Json;
using System.Text.Json.Serialization;
using Hubbub.Features.Kit.Notifications;
using Hubbub.Features.Kit.Users;

namespace Hubbub.Features.Kit;

/// <summary>Source-generated JSON for the kit's own contracts.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(string[]))]
[JsonSerializable(typeof(NotificationView))]
[JsonSerializable(typeof(NotificationList))]
[JsonSerializable(typeof(MarkReadRequest))]
[JsonSerializable(typeof(NotificationQuery))]
[JsonSerializable(typeof(UnreadCount))]
[JsonSerializable(typeof(UserProfile))]
[JsonSerializable(typeof(UpdateProfileRequest))]
[JsonSerializable(typeof(UserStatus))]
public sealed partial class KitJsonContext : JsonSerializerContext;
