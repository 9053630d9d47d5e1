using Hubbub.Features.Rooms;
using Hubbub.Storage;

namespace Hubbub.Features.Learning;

/// <summary>
/// Study groups: rooms linked to a course, through the rooms feature's public queries only
/// (<see cref="RoomsService.FindAsync"/>, <see cref="RoomsService.IsMemberAsync"/>). A learner's progress goes to each
/// linked room they are a member of when it changes; membership is asked then, so leaving a room stops it.
/// </summary>
internal static class StudyRooms
{
    /// <summary>The channel a room's members share.</summary>
    public static string ChannelOf(string room) => RoomsService.ChannelOf(room);

    /// <summary>The room, or null when there is none.</summary>
    public static Task<RoomView?> FindAsync(IDatabase database, string room, CancellationToken ct) => RoomsService.FindAsync(database, room, ct);

    /// <summary>Of <paramref name="rooms"/>, those <paramref name="user"/> is a member of, each once.</summary>
    public static async Task<List<string>> OfMemberAsync(IDatabase database, string user, IEnumerable<string> rooms, CancellationToken ct)
    {
        var result = new List<string>();
        foreach (var room in rooms.Distinct(StringComparer.Ordinal))
        {
            if (await RoomsService.IsMemberAsync(database, user, room, ct))
            {
                result.Add(room);
            }
        }
        return result;
    }
}
