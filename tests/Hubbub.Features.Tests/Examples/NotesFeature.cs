// The example of docs/features/README.md, compiled and tested (ExampleFeatureTests), so the guide stays true.
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Hubbub.Core;
using Hubbub.Core.Channels;
using Hubbub.Features.Kit;
using Hubbub.Features.Kit.Callers;
using Hubbub.Features.Kit.Declaring;
using Hubbub.Features.Kit.DomainEvents;
using Hubbub.Features.Kit.Http;
using Hubbub.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Hubbub.Features.Tests.Examples;

// 1. Options: bound from the section, validated at start (a bad value stops the server naming the setting).
public sealed class NotesOptions : IFeatureOptions
{
    public int MaxTextLength { get; set; } = 500;
    public int MaxBodyBytes { get; set; } = 16 * 1024;
    public IReadOnlyList<string> Validate() => MaxTextLength is < 1 or > 10_000 ? ["Notes:MaxTextLength must be between 1 and 10000."] : [];
}

// 2. One request record for REST and WebSocket: the path's id goes into `Board`; `User` lets a server act for a user.
public sealed record AddNoteRequest(
    [property: JsonPropertyName("text")] string? Text,
    [property: JsonPropertyName("client_id")] string? ClientId,
    [property: JsonPropertyName("board")] string? Board = null,
    [property: JsonPropertyName("user")] string? User = null) : IActingRequest;

public sealed record NoteView([property: JsonPropertyName("id")] string Id, [property: JsonPropertyName("board")] string Board,
    [property: JsonPropertyName("author")] string Author, [property: JsonPropertyName("text")] string Text);

public sealed record NoteList([property: JsonPropertyName("notes")] IReadOnlyList<NoteView> Notes);

[JsonSerializable(typeof(AddNoteRequest)), JsonSerializable(typeof(NoteView)), JsonSerializable(typeof(NoteList))]
public sealed partial class NotesJson : JsonSerializerContext;

// 3. The service: validation and rules live here only; everything that follows the change goes into `tx`.
public sealed class NotesService(FeatureDatabase database, IOptions<NotesOptions> options)
{
    public static readonly DomainEventKind<NoteView> NoteAdded = new("note.added", NotesJson.Default.NoteView);

    public Task<(NoteView Note, bool Duplicate)> AddAsync(HubbubUser me, AddNoteRequest r, CancellationToken ct)
    {
        var board = r.Board is { Length: > 0 and <= 64 } b && ChannelName.IsValidName(b) ? b : throw HubbubException.BadRequest("'board' is required");
        var text = r.Text ?? throw HubbubException.BadRequest("'text' is required");
        if (text.Length > options.Value.MaxTextLength)
        {
            throw HubbubException.TooLarge("'text' is too long");
        }
        return database.WriteAsync(tx => tx.OnceAsync($"note.add:{board}:{me.Id}", r.ClientId ?? Guid.NewGuid().ToString(),
            NotesJson.Default.NoteView, async () =>
            {
                var id = await tx.Db.QuerySingleAsync<long>(
                    "INSERT INTO notes (board, author, text, created_ms) VALUES (@board, @author, @text, @now) RETURNING id",
                    new { board, author = me.Id, text, now = tx.NowMs }, ct);
                var note = new NoteView(id.ToString(CultureInfo.InvariantCulture), board, me.Id, text);
                await tx.PublishAsync($"board:{board}", "note_added", note, NotesJson.Default.NoteView, ct); // after commit
                await tx.RaiseAsync(NoteAdded, note, ct);                                                     // handlers after commit
                return note;
            }, ct), ct);
    }

    public static async Task<NoteList> ListAsync(IDatabase db, string board, CancellationToken ct) =>
        new([.. (await db.ReadAsync(tx => tx.QueryAsync<(long Id, string Board, string Author, string Text)>(
            "SELECT id, board, author, text FROM notes WHERE board = @board ORDER BY id DESC LIMIT 50", new { board }, ct), ct))
            .Select(n => new NoteView(n.Id.ToString(CultureInfo.InvariantCulture), n.Board, n.Author, n.Text))]);
}

// 4. The declaration: everything the host needs, nothing else.
public sealed class NotesFeature : HubbubFeature
{
    public override string Name => "notes";

    public override void Declare(FeatureBuilder feature) => feature
        .Options<NotesOptions>("Notes")
        .Migrations(m => m.Add(1, "notes",
            sqlite: "CREATE TABLE notes (id INTEGER PRIMARY KEY, board TEXT NOT NULL, author TEXT NOT NULL, text TEXT NOT NULL, created_ms BIGINT NOT NULL)",
            postgres: "CREATE TABLE notes (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, board TEXT NOT NULL, author TEXT NOT NULL, text TEXT NOT NULL, created_ms BIGINT NOT NULL)"))
        .Namespace(sp =>
        {
            var db = sp.GetRequiredService<IDatabase>();
            return new ChannelNamespace("board", ChannelNamespace.Anyone, ChannelNamespace.Nobody, presence: false,
                joinState: async (access, ct) => JsonSerializer.SerializeToUtf8Bytes(await NotesService.ListAsync(db, access.Channel.Name, ct), NotesJson.Default.NoteList));
        })
        .Command<NotesService, AddNoteRequest, NoteView>("note.add", NotesJson.Default.AddNoteRequest, NotesJson.Default.NoteView,
            async (s, me, r, ct) => (await s.AddAsync(me, r, ct)).Note)
        .Api<NotesOptions>("/api/boards", o => o.MaxBodyBytes, group => group.MapPost("/{id}/notes", async (string id, FeatureCall call, NotesService s) =>
        {
            var (body, me) = await call.BodyAndCallerAsync(NotesJson.Default.AddNoteRequest);
            var (note, duplicate) = await s.AddAsync(me, body with { Board = id }, call.Aborted);
            return FeatureCall.Json(note, NotesJson.Default.NoteView, duplicate ? 200 : 201);
        }).Accepts<AddNoteRequest>("application/json").Produces<NoteView>(201).Errors(400, 401, 413))
        .Services.AddSingleton<NotesService>();
}
