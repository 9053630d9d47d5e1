using System.Text.RegularExpressions;

namespace Hubbub.Storage.Migrations;

/// <summary>
/// The migrations of one feature, declared in one place (the feature's <c>AddXxx</c> registration) through
/// <see cref="MigrationServiceCollectionExtensions.AddHubbubMigrations"/>. Versions are the feature's own:
/// two features never coordinate numbers, and the journal is keyed by (feature, version).
/// </summary>
public sealed partial class MigrationSet
{
    private readonly List<Migration> _migrations = [];

    /// <summary>Starts an empty set for <paramref name="feature"/> (lower-case letters, digits, '_', '-', '.').</summary>
    public MigrationSet(string feature)
    {
        if (string.IsNullOrEmpty(feature) || feature.Length > 64 || !FeatureName().IsMatch(feature))
        {
            throw new ArgumentException($"Feature name '{feature}' must be 1–64 characters of a-z, 0-9, '_', '-', '.'.", nameof(feature));
        }
        Feature = feature;
    }

    /// <summary>The feature that owns these migrations.</summary>
    public string Feature { get; }

    /// <summary>The migrations in version order.</summary>
    public IReadOnlyList<Migration> Migrations => _migrations;

    /// <summary>Adds a migration whose SQL is the same on SQLite and PostgreSQL.</summary>
    public MigrationSet Add(int version, string name, string sql) => Add(version, name, sql, sql);

    /// <summary>Adds a migration with SQL of its own for each engine.</summary>
    public MigrationSet Add(int version, string name, string sqlite, string postgres)
    {
        if (version <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(version), version, $"{Feature}: migration versions start at 1.");
        }
        if (_migrations.Count > 0 && version <= _migrations[^1].Version)
        {
            throw new ArgumentException($"{Feature}: migration {version} must come after {_migrations[^1].Version}; declare them in increasing order.", nameof(version));
        }
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(sqlite);
        ArgumentException.ThrowIfNullOrWhiteSpace(postgres);
        _migrations.Add(new Migration(Feature, version, name, sqlite, postgres));
        return this;
    }

    [GeneratedRegex("^[a-z0-9_.-]+$")]
    private static partial Regex FeatureName();
}
