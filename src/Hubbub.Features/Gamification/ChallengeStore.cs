using Hubbub.Storage;

namespace Hubbub.Features.Gamification;

/// <summary>
/// The challenge SQL. Participants are ordered by progress (highest first), then who reached it first, then user id;
/// a rank is 1 + the participants with strictly more progress, so equal progress shares one.
/// </summary>
internal static class ChallengeStore
{
    private const string Columns =
        "id AS Id, title AS Title, event_type AS Type, field AS Field, goal AS Goal, starts_ms AS StartsMs, ends_ms AS EndsMs, created_ms AS CreatedMs, participants AS Participants, def_key AS Key";

    private const string ParticipantColumns =
        "p.user_id AS User, COALESCE(u.name, p.user_id) AS Name, p.progress AS Progress, p.joined_ms AS JoinedMs, p.reached_ms AS ReachedMs, p.completed_ms AS CompletedMs";

    /// <summary>Stores a challenge; null when its key is taken (nothing stored: the challenge of that key stays as it is).</summary>
    public static Task<long?> InsertAsync(DatabaseTransaction tx, ChallengeRules.Checked c, long now, CancellationToken ct) =>
        tx.QuerySingleOrDefaultAsync<long?>(
            """
            INSERT INTO gam_challenges (title, event_type, field, goal, starts_ms, ends_ms, created_ms, participants, def_key)
            VALUES (@Title, @Type, @Field, @Goal, @StartsMs, @EndsMs, @now, 0, @Key)
            ON CONFLICT (def_key) DO NOTHING RETURNING id
            """, new { c.Title, c.Type, c.Field, c.Goal, c.StartsMs, c.EndsMs, now, c.Key }, ct);

    public static Task<ChallengeRow?> FindByKeyAsync(DatabaseTransaction tx, string key, CancellationToken ct) =>
        tx.QuerySingleOrDefaultAsync<ChallengeRow>($"SELECT {Columns} FROM gam_challenges WHERE def_key = @key", new { key }, ct);

    public static Task<ChallengeRow?> FindAsync(DatabaseTransaction tx, long id, CancellationToken ct) =>
        tx.QuerySingleOrDefaultAsync<ChallengeRow>($"SELECT {Columns} FROM gam_challenges WHERE id = @id", new { id }, ct);

    /// <summary>
    /// A page of challenges, newest first, before id <paramref name="before"/>: of one <paramref name="state"/> at
    /// <paramref name="now"/> (null: any), of one event <paramref name="type"/> (null: any), joined by <paramref name="joinedBy"/> (null: any).
    /// </summary>
    public static async Task<List<ChallengeRow>> ListAsync(DatabaseTransaction tx, long? before, string? state, string? type, string? joinedBy,
        long now, int limit, CancellationToken ct)
    {
        var where = new List<string>();
        if (before is not null)
        {
            where.Add("id < @before");
        }
        where.Add(state switch
        {
            ChallengeRules.Upcoming => "starts_ms > @now",
            ChallengeRules.Active => "starts_ms <= @now AND ends_ms > @now",
            ChallengeRules.Ended => "ends_ms <= @now",
            ChallengeRules.Current => "ends_ms > @now",
            _ => "1 = 1",
        });
        if (type is not null)
        {
            where.Add("event_type = @type");
        }
        if (joinedBy is not null)
        {
            where.Add("id IN (SELECT challenge_id FROM gam_challenge_participants WHERE user_id = @joinedBy)");
        }
        return (await tx.QueryAsync<ChallengeRow>(
            $"SELECT {Columns} FROM gam_challenges WHERE {string.Join(" AND ", where)} ORDER BY id DESC LIMIT @limit",
            new { before, now, type, joinedBy, limit }, ct)).ToList();
    }

    /// <summary>Joins a user; true when they were not in it yet (then the count goes up by one, in the same transaction).</summary>
    public static async Task<bool> JoinAsync(DatabaseTransaction tx, long id, string user, long now, CancellationToken ct)
    {
        var added = await tx.ExecuteAsync(
            """
            INSERT INTO gam_challenge_participants (challenge_id, user_id, progress, joined_ms, reached_ms) VALUES (@id, @user, 0, @now, @now)
            ON CONFLICT (challenge_id, user_id) DO NOTHING
            """, new { id, user, now }, ct) == 1;
        if (added)
        {
            await tx.ExecuteAsync("UPDATE gam_challenges SET participants = participants + 1 WHERE id = @id", new { id }, ct);
        }
        return added;
    }

    /// <summary>Removes a participant and their progress; true when they were in it (then the count goes down by one).</summary>
    public static async Task<bool> LeaveAsync(DatabaseTransaction tx, long id, string user, CancellationToken ct)
    {
        var removed = await tx.ExecuteAsync("DELETE FROM gam_challenge_participants WHERE challenge_id = @id AND user_id = @user", new { id, user }, ct) == 1;
        if (removed)
        {
            await tx.ExecuteAsync("UPDATE gam_challenges SET participants = participants - 1 WHERE id = @id", new { id }, ct);
        }
        return removed;
    }

    /// <summary>How many participants reached the goal.</summary>
    public static Task<long> CompletedCountAsync(DatabaseTransaction tx, long id, CancellationToken ct) =>
        tx.QuerySingleAsync<long>("SELECT COUNT(*) FROM gam_challenge_participants WHERE challenge_id = @id AND completed_ms IS NOT NULL", new { id }, ct);

    public static Task<ParticipantRow?> ParticipantAsync(DatabaseTransaction tx, long id, string user, CancellationToken ct) =>
        tx.QuerySingleOrDefaultAsync<ParticipantRow>(
            $"SELECT {ParticipantColumns} FROM gam_challenge_participants p LEFT JOIN kit_users u ON u.id = p.user_id WHERE p.challenge_id = @id AND p.user_id = @user",
            new { id, user }, ct);

    /// <summary>The challenges <paramref name="user"/> joined that count events of <paramref name="type"/> at <paramref name="atMs"/>.</summary>
    public static async Task<List<ChallengeRow>> OpenForEventAsync(DatabaseTransaction tx, string user, string type, long atMs, CancellationToken ct) =>
        (await tx.QueryAsync<ChallengeRow>(
            $"""
            SELECT {Columns} FROM gam_challenges
            WHERE event_type = @type AND starts_ms <= @atMs AND ends_ms > @atMs
              AND id IN (SELECT challenge_id FROM gam_challenge_participants WHERE user_id = @user)
            ORDER BY id
            """, new { user, type, atMs }, ct)).ToList();

    /// <summary>Adds to a participant's progress; returns it after the addition and whether the goal was reached before.</summary>
    public static Task<ProgressRow> AddProgressAsync(DatabaseTransaction tx, long id, string user, double amount, long now, CancellationToken ct) =>
        tx.QuerySingleAsync<ProgressRow>(
            """
            UPDATE gam_challenge_participants
            SET progress = CAST(ROUND(CAST(progress + @amount AS NUMERIC), 9) AS DOUBLE PRECISION), reached_ms = @now -- as Sums.Add
            WHERE challenge_id = @id AND user_id = @user
            RETURNING progress AS Progress, completed_ms AS DoneMs
            """, new { id, user, amount, now }, ct);

    /// <summary>Marks the goal reached; true only the first time.</summary>
    public static async Task<bool> CompleteAsync(DatabaseTransaction tx, long id, string user, long now, CancellationToken ct) =>
        await tx.ExecuteAsync(
            "UPDATE gam_challenge_participants SET completed_ms = @now WHERE challenge_id = @id AND user_id = @user AND completed_ms IS NULL",
            new { id, user, now }, ct) == 1;

    /// <summary>Participants <paramref name="offset"/>…<paramref name="offset"/>+<paramref name="limit"/>−1 in rank order.</summary>
    public static async Task<List<ParticipantRow>> RankedAsync(DatabaseTransaction tx, long id, int offset, int limit, CancellationToken ct) =>
        (await tx.QueryAsync<ParticipantRow>(
            $"""
            SELECT {ParticipantColumns} FROM gam_challenge_participants p LEFT JOIN kit_users u ON u.id = p.user_id
            WHERE p.challenge_id = @id ORDER BY p.progress DESC, p.reached_ms ASC, p.user_id ASC LIMIT @limit OFFSET @offset
            """, new { id, offset, limit }, ct)).ToList();

    /// <summary>The rank of <paramref name="progress"/>: 1 + the participants with strictly more.</summary>
    public static async Task<long> RankOfAsync(DatabaseTransaction tx, long id, double progress, CancellationToken ct) =>
        1 + await tx.QuerySingleAsync<long>(
            "SELECT COUNT(*) FROM gam_challenge_participants WHERE challenge_id = @id AND progress > @progress", new { id, progress }, ct);
}

// Settable properties: SQLite returns every integer as 64-bit, which Dapper converts for properties only.

internal sealed class ChallengeRow
{
    public long Id { get; set; }
    public string Title { get; set; } = "";
    public string Type { get; set; } = "";
    public string? Field { get; set; }
    public double Goal { get; set; }
    public long StartsMs { get; set; }
    public long EndsMs { get; set; }
    public long CreatedMs { get; set; }
    public long Participants { get; set; }
    public string? Key { get; set; }
}

internal sealed class ParticipantRow
{
    public string User { get; set; } = "";
    public string Name { get; set; } = "";
    public double Progress { get; set; }
    public long JoinedMs { get; set; }
    public long ReachedMs { get; set; }
    public long? CompletedMs { get; set; }
}
