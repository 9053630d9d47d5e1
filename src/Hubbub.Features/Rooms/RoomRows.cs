namespace Hubbub.Features.Rooms;

// Settable properties: SQLite returns every integer as 64-bit, which Dapper converts for properties only.

internal sealed class RoomRow
{
    public string Id { get; set; } = "";
    public string? Title { get; set; }
    public string Owner { get; set; } = "";
    public long CreatedMs { get; set; }
}

internal sealed class RoomMemberRow
{
    public string RoomId { get; set; } = "";
    public string UserId { get; set; } = "";
}
