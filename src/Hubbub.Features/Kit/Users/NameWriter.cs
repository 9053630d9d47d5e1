using System.Buffers;
using System.Text;
using System.Text.Json;
using Hubbub.Storage;

namespace Hubbub.Features.Kit.Users;

/// <summary>
/// Stores the names <see cref="UserDirectory.TouchAsync"/> learns, many users in one statement of one transaction:
/// the names that queue up while a write runs go together in the next one. Each caller still waits until its own name
/// is committed (a backend that posts an event about a user right after their welcome finds the name in every query
/// that joins <c>kit_users</c>), but a storm of connects of new users costs one transaction and one statement per batch
/// instead of per user (on SQLite with its commit, WAL pages and checkpoint work; measured about 12–15 % of a
/// connect's CPU as one write per user). One batch runs at a time, so two names of one user are stored in call order.
/// </summary>
internal sealed class NameWriter(IDatabase database)
{
    /// <summary>Most users one statement stores (two values each; far below both databases' parameter limits).</summary>
    internal const int MaxBatch = 500;

    private readonly Lock _lock = new();
    private List<Pending> _queued = [];
    private bool _writing;

    /// <summary>Stores <paramref name="name"/> as <paramref name="user"/>'s name; completes when it is committed.</summary>
    public Task WriteAsync(string user, string name)
    {
        var pending = new Pending(user, name, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        bool start;
        lock (_lock)
        {
            _queued.Add(pending);
            start = !_writing;
            _writing = true;
        }
        if (start)
        {
            _ = Task.Run(DrainAsync, CancellationToken.None);
        }
        return pending.Done.Task;
    }

    private async Task DrainAsync()
    {
        while (true)
        {
            List<Pending> batch;
            lock (_lock)
            {
                if (_queued.Count == 0)
                {
                    _writing = false;
                    return;
                }
                batch = _queued;
                _queued = [];
            }
            for (var start = 0; start < batch.Count; start += MaxBatch)
            {
                var chunk = batch.GetRange(start, Math.Min(MaxBatch, batch.Count - start));
                try
                {
                    await database.InTransactionAsync(tx => UpsertAsync(tx, chunk));
                    chunk.ForEach(p => p.Done.TrySetResult());
                }
#pragma warning disable CA1031 // Handed to every caller of the batch, which decides (the online status logs it and goes on).
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    chunk.ForEach(p => p.Done.TrySetException(ex));
                }
            }
        }
    }

    /// <summary>One upsert of every user of <paramref name="batch"/> (the last name of a user given twice); an unchanged name is not rewritten.</summary>
    internal static Task<int> UpsertAsync(DatabaseTransaction tx, IReadOnlyList<Pending> batch)
    {
        var names = new Dictionary<string, string>(batch.Count, StringComparer.Ordinal);
        foreach (var pending in batch)
        {
            names[pending.User] = pending.Name;
        }
        if (tx.Provider == DatabaseProvider.Postgres)
        {
            return tx.ExecuteAsync("""
                INSERT INTO kit_users (id, name) SELECT * FROM unnest(@ids::text[], @names::text[])
                ON CONFLICT (id) DO UPDATE SET name = excluded.name WHERE kit_users.name IS DISTINCT FROM excluded.name
                """, new { ids = names.Keys.ToArray(), names = names.Values.ToArray() });
        }
        return tx.ExecuteAsync("""
            INSERT INTO kit_users (id, name) SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(@rows) WHERE true
            ON CONFLICT (id) DO UPDATE SET name = excluded.name WHERE kit_users.name IS NOT excluded.name
            """, new { rows = PairsAsJson(names) });
    }

    // [["id","name"],…] for SQLite's json_each: one parameter and one statement text whatever the batch's size.
    private static string PairsAsJson(Dictionary<string, string> names)
    {
        var buffer = new ArrayBufferWriter<byte>(names.Count * 48);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            foreach (var (user, name) in names)
            {
                json.WriteStartArray();
                json.WriteStringValue(user);
                json.WriteStringValue(name);
                json.WriteEndArray();
            }
            json.WriteEndArray();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    internal sealed record Pending(string User, string Name, TaskCompletionSource Done);
}
