namespace Hubbub.Storage.Migrations;

/// <summary>What one migration run did.</summary>
/// <param name="Database">Where the database is (no password).</param>
/// <param name="Applied">The migrations this run applied, in order, with how long each took.</param>
/// <param name="AlreadyApplied">Registered migrations found already applied (by an earlier run or another node).</param>
public sealed record MigrationReport(string Database, IReadOnlyList<AppliedMigration> Applied, int AlreadyApplied);

/// <summary>A migration applied by this run.</summary>
public sealed record AppliedMigration(Migration Migration, TimeSpan Duration);
