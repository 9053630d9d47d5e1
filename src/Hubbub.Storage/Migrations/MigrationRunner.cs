using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;

namespace Hubbub.Storage.Migrations;

/// <summary>
/// Applies the registered migrations that the database has not seen yet: features in registration order,
/// each feature's migrations in version order, each in its own transaction with its journal row.
/// </summary>
/// <remarks>
/// A small runner of our own rather than a migration library: what Hubbub needs is per-feature version
/// numbers (so features never coordinate), per-engine SQL for one migration, and a lock so several nodes
/// starting together apply each migration once. DbUp (dbup-core 6.1.1 next to dbup-postgresql 7.0.1 on the
/// package feed) and FluentMigrator bring a journal per script name and no cross-node lock on SQLite and
/// PostgreSQL; Evolve wants script files on disk. The whole runner is this file and MigrationJournal.
/// </remarks>
public sealed class MigrationRunner(IDatabase database, IEnumerable<MigrationSet> sets, TimeProvider time, ILogger<MigrationRunner> logger)
{
    /// <summary>Every registered migration, in the order they are applied.</summary>
    public IReadOnlyList<Migration> Registered { get; } = Order(sets);

    /// <summary>
    /// Applies what is pending and reports it. Throws <see cref="StartupException"/> with a one-line reason when the
    /// database cannot be reached, a migration fails (nothing of it stays applied), or an applied migration was edited.
    /// </summary>
    public async Task<MigrationReport> ApplyAsync(CancellationToken cancellationToken = default)
    {
        StorageLog.Using(logger, database.Description);
        Dictionary<(string, int), string> journal;
        try
        {
            if (database is SqliteDatabase sqlite)
            {
                await sqlite.EnableWriteAheadLogAsync(cancellationToken);
            }
            journal = await database.InTransactionAsync(async tx =>
            {
                await MigrationJournal.LockAsync(tx, cancellationToken);
                await tx.ExecuteAsync(MigrationJournal.Create, cancellationToken: cancellationToken);
                var rows = await tx.QueryAsync<MigrationJournal.Row>(MigrationJournal.SelectAll, cancellationToken: cancellationToken);
                return rows.ToDictionary(r => (r.Feature, r.Version), r => r.Checksum);
            }, cancellationToken);
        }
        catch (Exception ex) when (IsUnreachable(ex))
        {
            throw Unreachable(ex);
        }
        CheckUnchanged(journal);

        var applied = new List<AppliedMigration>();
        var already = 0;
        foreach (var migration in Registered)
        {
            if (journal.ContainsKey((migration.Feature, migration.Version)))
            {
                already++;
                continue;
            }
            var started = Stopwatch.GetTimestamp();
            if (await ApplyOneAsync(migration, cancellationToken))
            {
                var duration = Stopwatch.GetElapsedTime(started);
                applied.Add(new AppliedMigration(migration, duration));
                StorageLog.Applied(logger, migration.ToString(), (long)duration.TotalMilliseconds);
            }
            else
            {
                already++; // another node applied it between our read of the journal and our lock
            }
        }
        StorageLog.UpToDate(logger, applied.Count, already);
        return new MigrationReport(database.Description, applied, already);
    }

    /// <summary>Opens a connection and runs <c>SELECT 1</c>: used when migrations are not applied on start.</summary>
    public async Task CheckConnectionAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await using var connection = await database.OpenConnectionAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT 1";
            await command.ExecuteScalarAsync(cancellationToken);
        }
        catch (Exception ex) when (IsUnreachable(ex))
        {
            throw Unreachable(ex);
        }
    }

    private async Task<bool> ApplyOneAsync(Migration migration, CancellationToken cancellationToken)
    {
        try
        {
            return await database.InTransactionAsync(async tx =>
            {
                await MigrationJournal.LockAsync(tx, cancellationToken);
                var key = new { migration.Feature, migration.Version };
                if (await tx.ExecuteScalarAsync<long>(MigrationJournal.SelectOne, key, cancellationToken) > 0)
                {
                    return false;
                }
                await tx.ExecuteAsync(migration.Sql(database.Provider), cancellationToken: cancellationToken);
                await tx.ExecuteAsync(MigrationJournal.Insert, new
                {
                    migration.Feature,
                    migration.Version,
                    migration.Name,
                    Checksum = migration.Checksum(database.Provider),
                    AppliedAt = time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture),
                }, cancellationToken);
                return true;
            }, cancellationToken);
        }
        catch (Exception ex) when (IsUnreachable(ex))
        {
            throw Unreachable(ex);
        }
        catch (DbException ex)
        {
            throw new StartupException($"migration {migration} failed on {database.Description} and was rolled back: {ex.Message}");
        }
    }

    private void CheckUnchanged(Dictionary<(string, int), string> journal)
    {
        foreach (var migration in Registered)
        {
            if (journal.TryGetValue((migration.Feature, migration.Version), out var checksum) && checksum != migration.Checksum(database.Provider))
            {
                throw new StartupException(
                    $"migration {migration} was changed after it was applied to {database.Description}. " +
                    "Applied migrations are history: restore its SQL and add a new migration for the change.");
            }
        }
    }

    private static List<Migration> Order(IEnumerable<MigrationSet> sets)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var ordered = new List<Migration>();
        foreach (var set in sets)
        {
            if (!seen.Add(set.Feature))
            {
                throw new StartupException($"migrations of feature '{set.Feature}' are registered twice; declare them in one AddHubbubMigrations call.");
            }
            ordered.AddRange(set.Migrations);
        }
        return ordered;
    }

    // Connection failures, as opposed to a migration's own SQL errors: refused or unresolvable hosts, timeouts,
    // authentication, a missing database, an unreadable SQLite file.
    private static bool IsUnreachable(Exception ex) => ex switch
    {
        SocketException or TimeoutException or IOException or UnauthorizedAccessException => true,
        Npgsql.PostgresException pg => pg.SqlState is "3D000" or "28000" or "28P01" or "57P03",
        Npgsql.NpgsqlException => true, // not a server error: the connection itself failed
        Microsoft.Data.Sqlite.SqliteException sqlite => sqlite.SqliteErrorCode is 14 or 26 or 8 or 23, // CANTOPEN, NOTADB, READONLY, AUTH
        _ => ex.InnerException is not null && IsUnreachable(ex.InnerException),
    };

    private StartupException Unreachable(Exception ex) =>
        new($"cannot reach the database ({database.Description}): {ex.Message}");
}
