namespace Hubbub.Storage.Migrations;

/// <summary>How a feature declares its schema.</summary>
public static class MigrationServiceCollectionExtensions
{
    /// <summary>
    /// Registers <paramref name="feature"/>'s migrations; they are applied at start and by the <c>migrate</c> verb.
    /// Features are migrated in registration order, so a feature whose tables reference another's registers after it.
    /// </summary>
    /// <example><code>
    /// services.AddHubbubMigrations("chat", m => m
    ///     .Add(1, "messages", "CREATE TABLE chat_messages (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
    ///     .Add(2, "messages by room",
    ///          sqlite: "CREATE INDEX ...", postgres: "CREATE INDEX ..."));
    /// </code></example>
    public static IServiceCollection AddHubbubMigrations(this IServiceCollection services, string feature, Action<MigrationSet> declare)
    {
        var set = new MigrationSet(feature);
        declare(set);
        services.AddSingleton(set);
        return services;
    }
}
