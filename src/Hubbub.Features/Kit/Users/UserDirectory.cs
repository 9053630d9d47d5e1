using System.Collections.Concurrent;
using Hubbub.Core;
using Hubbub.Features.Kit.Text;
using Hubbub.Storage;

namespace Hubbub.Features.Kit.Users;

/// <summary>
/// The users every feature shares: display name (kept up to date with each user's token, so lists show names of users
/// who are not connected), IANA time zone, last seen. <see cref="TouchAsync"/> writes only when the name changed since
/// this process last wrote it, so calling it on every request costs a dictionary lookup.
/// </summary>
public sealed class UserDirectory(FeatureDatabase database)
{
    /// <summary>Longest display name kept.</summary>
    public const int MaxNameLength = 200;

    private readonly ConcurrentDictionary<string, string> _written = new(StringComparer.Ordinal);

    /// <summary>Records the user's current name (from their token).</summary>
    public async ValueTask TouchAsync(HubbubUser user, CancellationToken cancellationToken = default)
    {
        if (_written.TryGetValue(user.Id, out var known) && known == user.Name)
        {
            return;
        }
        await database.Database.InTransactionAsync(tx => UserStore.UpsertNameAsync(tx, user.Id, user.Name, cancellationToken), cancellationToken);
        _written[user.Id] = user.Name;
    }

    /// <summary>A user's display name, or their id when the directory has never seen them.</summary>
    public async ValueTask<string> NameOfAsync(string user, CancellationToken cancellationToken = default) =>
        _written.TryGetValue(user, out var name)
            ? name
            : (await database.ReadAsync(tx => UserStore.FindAsync(tx, user, cancellationToken), cancellationToken))?.Name ?? user;

    /// <summary>A user's profile (one the directory never saw answers with their id as name and UTC).</summary>
    public async Task<UserProfile> GetAsync(string user, CancellationToken cancellationToken = default)
    {
        CheckUserId(user);
        var row = await database.ReadAsync(tx => UserStore.FindAsync(tx, user, cancellationToken), cancellationToken);
        return new UserProfile(user, row?.Name ?? user, row?.TimeZone);
    }

    /// <summary>A user's IANA time zone (UTC when none is set or it is unknown to this machine).</summary>
    public async Task<TimeZoneInfo> TimeZoneOfAsync(string user, CancellationToken cancellationToken = default) =>
        (await GetAsync(user, cancellationToken)).TimeZone is { } id && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) ? zone : TimeZoneInfo.Utc;

    /// <summary>Changes <paramref name="me"/>'s own name and time zone.</summary>
    public async Task<UserProfile> UpdateAsync(HubbubUser me, UpdateProfileRequest request, CancellationToken cancellationToken = default)
    {
        var name = request.Name is null ? null : ValidName(request.Name);
        string? zone = null;
        if (request.TimeZone is { Length: > 0 } id)
        {
            zone = id.Length <= 64 && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var found) && found.HasIanaId
                ? id
                : throw HubbubException.BadRequest("'timezone' must be an IANA time zone such as \"Europe/Berlin\"");
        }
        await database.Database.InTransactionAsync(async tx =>
        {
            if (name is not null)
            {
                await UserStore.UpsertNameAsync(tx, me.Id, name, cancellationToken);
            }
            if (request.TimeZone is not null)
            {
                await UserStore.SetTimeZoneAsync(tx, me.Id, zone, cancellationToken);
            }
        }, cancellationToken);
        if (name is not null)
        {
            _written[me.Id] = name;
        }
        return await GetAsync(me.Id, cancellationToken);
    }

    /// <summary>Refuses what cannot own a <c>user:{id}</c> channel.</summary>
    public static string CheckUserId(string? user, string field = "user") =>
        UserIds.IsValid(user)
            ? user
            : throw HubbubException.BadRequest($"'{field}' must be a user id of 1-{UserIds.MaxLength} letters, digits and _ - . : @ = , |");

    private static string ValidName(string name)
    {
        name = name.Trim();
        if (name.Length == 0 || name.Any(char.IsControl))
        {
            throw HubbubException.BadRequest("'name' must not be empty or hold control characters");
        }
        StoredText.Check(name, "name");
        return name.Length > MaxNameLength ? throw HubbubException.TooLarge($"'name' is longer than {MaxNameLength} characters") : name;
    }
}
