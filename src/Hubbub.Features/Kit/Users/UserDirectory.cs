using System.Collections.Concurrent;
using Hubbub.Core;
using Hubbub.Features.Kit.Text;
using Hubbub.Storage;

namespace Hubbub.Features.Kit.Users;

/// <summary>
/// The users every feature shares: display name (taken from each user's token when the token's name changes, so lists
/// show names of users who are not connected; a name the user sets stays until a token with another name arrives),
/// IANA time zone, last seen. <see cref="TouchAsync"/> writes only when the token's name changed since this process last
/// recorded it, so calling it on every request costs a dictionary lookup.
/// </summary>
public sealed class UserDirectory(FeatureDatabase database)
{
    /// <summary>Longest display name kept.</summary>
    public const int MaxNameLength = 200;

    // The token name this process last recorded per user (what TouchAsync compares), and the shown name it last wrote or
    // read back (what NameOfAsync answers without a read). They differ when the user chose a name of their own.
    private readonly ConcurrentDictionary<string, string> _tokenNames = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _names = new(StringComparer.Ordinal);
    private readonly Lock _namesGate = new();
    private NameBatch? _nextNames; // names arriving while a write runs: they go together in the next one
    private bool _writingNames;

    /// <summary>
    /// Records the user's current name (from their token); returns once it is committed. Names arriving while another
    /// such write runs are written together in the next transaction (a connect storm of new users costs one
    /// transaction per batch rather than one per user, with its queueing on the database's writer).
    /// </summary>
    /// <remarks>
    /// Not an async method: a caller awaits its batch's task itself, so a connect does not keep a state machine of this
    /// method while its name is written.
    /// </remarks>
    public ValueTask TouchAsync(HubbubUser user, CancellationToken cancellationToken = default)
    {
        if (_tokenNames.TryGetValue(user.Id, out var known) && known == user.Name)
        {
            return ValueTask.CompletedTask;
        }
        NameBatch batch;
        var start = false;
        lock (_namesGate)
        {
            batch = _nextNames ??= new NameBatch();
            batch.Names[user.Id] = user.Name; // a user named twice before the write keeps the later name
            if (!_writingNames)
            {
                _writingNames = start = true;
                _nextNames = null;
            }
        }
        if (start)
        {
            // The loop serves every later caller too, so it must not carry this caller's context (an ambient
            // transaction, a request's scope): it starts on the pool with none.
            using (ExecutionContext.SuppressFlow())
            {
                _ = Task.Run(() => WriteNamesAsync(batch), CancellationToken.None);
            }
        }
        return new ValueTask(batch.Written.Task.WaitAsync(cancellationToken));
    }

    // Writes batch after batch until no name waits; never throws (a failure goes to the batch's callers).
    private async Task WriteNamesAsync(NameBatch? batch)
    {
        while (batch is not null)
        {
            try
            {
                // Not a caller's token: the batch serves every caller in it.
                var shown = new List<(string Id, string Name)>(batch.Names.Count);
                await database.Database.InTransactionAsync(async tx =>
                {
                    shown.Clear(); // a retried transaction starts over
                    // In id order: two nodes' batches on PostgreSQL lock the same users' rows in one order, never crosswise.
                    foreach (var (id, name) in batch.Names.OrderBy(n => n.Key, StringComparer.Ordinal))
                    {
                        shown.Add((id, await UserStore.RecordTokenNameAsync(tx, id, name, CancellationToken.None)));
                    }
                });
                foreach (var (id, name) in batch.Names)
                {
                    _tokenNames[id] = name;
                }
                foreach (var (id, name) in shown)
                {
                    _names[id] = name;
                }
                batch.Written.TrySetResult();
            }
#pragma warning disable CA1031 // Handed to every caller of the batch.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                batch.Written.TrySetException(ex);
            }
            lock (_namesGate)
            {
                batch = _nextNames;
                _nextNames = null;
                _writingNames = batch is not null;
            }
        }
    }

    /// <summary>Names waiting to be written together, and the moment they are committed.</summary>
    private sealed class NameBatch
    {
        public Dictionary<string, string> Names { get; } = new(StringComparer.Ordinal);

        public TaskCompletionSource Written { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>A user's display name, or their id when the directory has never seen them.</summary>
    public async ValueTask<string> NameOfAsync(string user, CancellationToken cancellationToken = default) =>
        _names.TryGetValue(user, out var name)
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
            _names[me.Id] = name; // the token name stays recorded: the same token does not undo the user's choice
        }
        return await GetAsync(me.Id, cancellationToken);
    }

    /// <summary>Refuses what cannot own a <c>user:{id}</c> channel.</summary>
    public static string CheckUserId(string? user, string field = "user") =>
        UserIds.IsValid(user)
            ? user
            : throw HubbubException.BadRequest(UserIds.Rule(field));

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
