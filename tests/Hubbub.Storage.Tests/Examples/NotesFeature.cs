using Hubbub.Storage;
using Hubbub.Storage.Migrations;
using Microsoft.Extensions.DependencyInjection;

namespace Hubbub.Storage.Tests.Examples;

// The example of docs/storage.md, kept here so it compiles and runs against both engines (NotesFeatureTests).

/// <summary>A note pinned to a channel.</summary>
public sealed record Note(long Id, string Channel, string Author, string Body, long CreatedMs);

/// <summary>The feature's registration: its migrations and its service, in one place.</summary>
public static class NotesFeature
{
    public static IServiceCollection AddNotes(this IServiceCollection services)
    {
        services.AddHubbubMigrations("notes", m => m
            .Add(1, "notes",
                sqlite: """
                    CREATE TABLE notes (
                        id         INTEGER PRIMARY KEY,
                        channel    TEXT   NOT NULL,
                        author     TEXT   NOT NULL,
                        body       TEXT   NOT NULL,
                        created_ms BIGINT NOT NULL)
                    """,
                postgres: """
                    CREATE TABLE notes (
                        id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                        channel    TEXT   NOT NULL,
                        author     TEXT   NOT NULL,
                        body       TEXT   NOT NULL,
                        created_ms BIGINT NOT NULL)
                    """)
            .Add(2, "notes by channel", "CREATE INDEX notes_by_channel ON notes (channel, id)"));
        services.AddSingleton<NoteService>();
        return services;
    }
}

/// <summary>The feature's service: the same calls serve a REST endpoint and a WebSocket command.</summary>
public sealed class NoteService(IDatabase database, TimeProvider time)
{
    private const string Columns = "id AS Id, channel AS Channel, author AS Author, body AS Body, created_ms AS CreatedMs";

    /// <summary>Adds a note; the caller publishes the event after this returns, i.e. after the commit.</summary>
    public Task<Note> AddAsync(string channel, string author, string body, CancellationToken cancellationToken = default) =>
        database.InTransactionAsync(tx => tx.QuerySingleAsync<Note>(
            $"INSERT INTO notes (channel, author, body, created_ms) VALUES (@channel, @author, @body, @now) RETURNING {Columns}",
            new { channel, author, body, now = time.GetUtcNow().ToUnixTimeMilliseconds() },
            cancellationToken), cancellationToken);

    /// <summary>The newest <paramref name="limit"/> notes of a channel, newest first.</summary>
    public async Task<IReadOnlyList<Note>> LatestAsync(string channel, int limit, CancellationToken cancellationToken = default) =>
        [.. await database.InTransactionAsync(tx => tx.QueryAsync<Note>(
            $"SELECT {Columns} FROM notes WHERE channel = @channel ORDER BY id DESC LIMIT @limit",
            new { channel, limit },
            cancellationToken), cancellationToken)];

    /// <summary>Deletes a note if <paramref name="author"/> wrote it; false when there was no such note of theirs.</summary>
    public async Task<bool> DeleteAsync(long id, string author, CancellationToken cancellationToken = default) =>
        await database.InTransactionAsync(tx => tx.ExecuteAsync(
            "DELETE FROM notes WHERE id = @id AND author = @author", new { id, author }, cancellationToken), cancellationToken) == 1;
}
