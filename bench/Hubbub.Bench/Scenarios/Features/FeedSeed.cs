using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Hubbub.Bench.Scenarios.Features;

/// <summary>
/// The feed scenario's data, written with bulk SQL straight into the social feature's own tables of the running
/// server's database (setup only: a million activities through the API would take the whole run). The reader
/// <c>fr</c> has <c>friends</c> friends <c>ff0…</c>; activity <c>n</c> (of <c>total</c>) belongs to author
/// <c>(n × 7919) mod (10 × friends)</c>, so the reader's friends are a tenth of the authors, wrote about a tenth of the
/// activities, and their activities are spread through the whole timeline between strangers' (<c>fx…</c>). Activities
/// are one second apart, the newest a second ago. The inboxes (<c>social_feed</c>) are filled as the server's own
/// migration fills them: the author's row and one per friend of the author. One transaction per batch.
/// </summary>
internal sealed class FeedSeed(DbConnection connection, bool postgres) : IAsyncDisposable
{
    public const string Reader = "fr";
    private const int Batch = 50_000;
    private const long Stride = 7919; // prime, so n → n × 7919 mod authors walks every author evenly

    public static string Friend(long i) => $"ff{i}";

    /// <summary>The author of activity <paramref name="n"/>.</summary>
    public static string AuthorOf(long n, int friends)
    {
        var a = n * Stride % (10L * friends);
        return a < friends ? Friend(a) : $"fx{a}";
    }

    /// <summary>Opens the server's database: the SQLite file, or the PostgreSQL database.</summary>
    public static async Task<FeedSeed> OpenAsync(string connectionString, bool postgres, CancellationToken ct)
    {
        // Unpooled: the deployment drops the database when the run ends, which ends this connection too.
        DbConnection connection = postgres
            ? new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ToString())
            : new SqliteConnection(new SqliteConnectionStringBuilder(connectionString) { DefaultTimeout = 60 }.ToString());
        await connection.OpenAsync(ct);
        return new FeedSeed(connection, postgres);
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => connection.DisposeAsync();

    /// <summary>The reader's friendships (both rows of each), then <paramref name="total"/> activities with their inbox rows.</summary>
    public async Task SeedAsync(int friends, int total, long nowMs, Action<string> status, CancellationToken ct)
    {
        var series = postgres ? "generate_series(0, @friends - 1) AS s(i)" : "n";
        var cte = postgres ? "" : "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < @friends - 1) ";
        await InTransactionAsync(
            $"""
            {cte}INSERT INTO social_friends (user_id, friend_id, created_ms)
            SELECT '{Reader}', 'ff' || i, @now FROM {series} UNION ALL SELECT 'ff' || i, '{Reader}', @now FROM {series}
            """, ct, ("friends", friends), ("now", nowMs));
        var authors = 10L * friends;
        // A build from before the inbox (fan-out on read, HUBBUB_BENCH_SERVER_DLL) has no social_feed: activities only.
        var inbox = await HasInboxAsync(ct);
        for (long lo = 0; lo < total; lo += Batch)
        {
            var hi = Math.Min(total, lo + Batch);
            status($"{lo:N0} of {total:N0} activities");
            var rows = postgres ? "generate_series(@lo, @hi - 1) AS s(i)" : "n";
            var rowsCte = postgres ? "" : "WITH RECURSIVE n(i) AS (SELECT @lo UNION ALL SELECT i + 1 FROM n WHERE i < @hi - 1) ";
            await InTransactionAsync(
                $$"""
                {{rowsCte}}INSERT INTO social_activities (id, user_id, type, title, data, created_ms)
                SELECT 'seed-' || i, CASE WHEN i * {{Stride}} % @authors < @friends THEN 'ff' ELSE 'fx' END || (i * {{Stride}} % @authors),
                       'run', 'Run ' || i, '{"km":5}', @base + i * 1000
                FROM {{rows}};
                {{(inbox ? "" : "/*")}}
                INSERT INTO social_feed (user_id, seq, author_id)
                SELECT user_id, seq, user_id FROM social_activities WHERE seq > @after;
                INSERT INTO social_feed (user_id, seq, author_id)
                SELECT f.user_id, a.seq, a.user_id FROM social_activities a JOIN social_friends f ON f.friend_id = a.user_id WHERE a.seq > @after
                {{(inbox ? "" : "*/")}}
                """, ct, ("lo", lo), ("hi", hi), ("authors", authors), ("friends", (long)friends), ("base", nowMs - (total * 1000L)),
                ("after", await MaxSeqAsync(ct)));
        }
        if (postgres)
        {
            // What autovacuum would do minutes later anyway: the planner's statistics of the grown tables.
            await InTransactionAsync($"ANALYZE social_activities; {(inbox ? "ANALYZE social_feed;" : "")} ANALYZE social_friends", ct);
        }
    }

    /// <summary>The reader's newest activities below <paramref name="before"/> as the rules say (own and friends'), by the
    /// activities and friendships alone (not the inbox), newest first: what a feed page must show.</summary>
    public async Task<List<string>> ExpectedPageAsync(string reader, long before, int limit, CancellationToken ct)
    {
        await using var command = Command(
            """
            SELECT a.id FROM social_activities a
            WHERE a.seq < @before AND (a.user_id = @reader OR EXISTS (SELECT 1 FROM social_friends f WHERE f.user_id = @reader AND f.friend_id = a.user_id))
            ORDER BY a.seq DESC LIMIT @limit
            """, ("before", before), ("reader", reader), ("limit", (long)limit));
        var ids = new List<string>();
        await using var rows = await command.ExecuteReaderAsync(ct);
        while (await rows.ReadAsync(ct))
        {
            ids.Add(rows.GetString(0));
        }
        return ids;
    }

    private async Task<bool> HasInboxAsync(CancellationToken ct)
    {
        await using var command = Command(postgres
            ? "SELECT COUNT(*) FROM pg_tables WHERE tablename = 'social_feed'"
            : "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'social_feed'");
        return Convert.ToInt64(await command.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture) > 0;
    }

    private async Task<long> MaxSeqAsync(CancellationToken ct)
    {
        await using var command = Command("SELECT COALESCE(MAX(seq), 0) FROM social_activities");
        return Convert.ToInt64(await command.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
    }

    private async Task InTransactionAsync(string sql, CancellationToken ct, params (string Name, object Value)[] parameters)
    {
        await using var tx = await connection.BeginTransactionAsync(ct);
        await using var command = Command(sql, parameters);
        command.Transaction = tx;
        command.CommandTimeout = 600;
        await command.ExecuteNonQueryAsync(ct);
        await tx.CommitAsync(ct);
    }

    private DbCommand Command(string sql, params (string Name, object Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var p = command.CreateParameter();
            p.ParameterName = name;
            p.Value = value;
            command.Parameters.Add(p);
        }
        return command;
    }
}
