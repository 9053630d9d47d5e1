using Microsoft.Data.Sqlite;

namespace Hubbub.Storage;

/// <summary>
/// The writer connection's prepared statements, kept by SQL text. Why: Microsoft.Data.Sqlite prepares a command's SQL
/// (<c>sqlite3_prepare_v2</c>: parse, plan, compile) on its first execution and keeps the compiled statements only as long
/// as that command object lives, and Dapper creates and disposes a command per call, so every statement of every write was
/// compiled anew. Here a command is kept after use and the next call with the same text runs it again (its statements are
/// reset and rebound, not recompiled). Only the writer's one connection has a cache, used by one thread at a time.
/// <para>
/// Bounded (least recently used text evicted), since some SQL embeds values (id lists). A command still in use (a reader of
/// it open when the same text runs again) is not handed out twice: the second call gets a fresh command of its own. A
/// command whose execution threw is disposed, not kept.
/// </para>
/// </summary>
internal sealed class SqliteStatementCache(SqliteConnection connection, int capacity) : IDisposable
{
    private readonly Dictionary<string, LinkedListNode<Entry>> _byText = new(StringComparer.Ordinal);
    private readonly LinkedList<Entry> _recent = new(); // most recently used first

    /// <summary>Statements compiled (cache misses), for tests and diagnostics.</summary>
    public long Prepared { get; private set; }

    /// <summary>Executions that reused a compiled statement.</summary>
    public long Reused { get; private set; }

    /// <summary>The connection the commands run on.</summary>
    public SqliteConnection Connection => connection;

    /// <summary>A command for <paramref name="sql"/>: the kept one if free, else a new one (kept when it is returned).</summary>
    public SqliteCommand Rent(string sql)
    {
        if (_byText.TryGetValue(sql, out var node) && !node.Value.InUse)
        {
            node.Value.InUse = true;
            _recent.Remove(node);
            _recent.AddFirst(node);
            Reused++;
            return node.Value.Command;
        }
        Prepared++;
        var command = connection.CreateCommand();
        command.CommandText = sql;
        return command;
    }

    /// <summary>Hands a rented command back once its reader is closed; <paramref name="failed"/> drops it.</summary>
    public void Return(SqliteCommand command, bool failed)
    {
        command.Parameters.Clear();
        command.Transaction = null;
        if (_byText.TryGetValue(command.CommandText, out var node) && ReferenceEquals(node.Value.Command, command))
        {
            node.Value.InUse = false;
            if (failed)
            {
                _byText.Remove(command.CommandText);
                _recent.Remove(node);
                command.Dispose();
            }
            return;
        }
        if (failed || _byText.ContainsKey(command.CommandText))
        {
            command.Dispose(); // a failed one, or a second command for a text whose kept one was busy
            return;
        }
        _byText[command.CommandText] = _recent.AddFirst(new Entry(command));
        if (_byText.Count > capacity && _recent.Last is { } oldest && !oldest.Value.InUse)
        {
            _recent.RemoveLast();
            _byText.Remove(oldest.Value.Command.CommandText);
            oldest.Value.Command.Dispose();
        }
    }

    /// <summary>Finalizes every kept statement (before the connection closes).</summary>
    public void Dispose()
    {
        foreach (var entry in _recent)
        {
            entry.Command.Dispose();
        }
        _recent.Clear();
        _byText.Clear();
    }

    private sealed class Entry(SqliteCommand command)
    {
        public SqliteCommand Command { get; } = command;

        public bool InUse { get; set; }
    }
}
