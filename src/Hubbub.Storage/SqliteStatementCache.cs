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

    /// <summary>
    /// Gives every parameter of <paramref name="command"/> the name its SQL uses, prefix included (<c>@name</c>). Why: Dapper
    /// names parameters without a prefix, and Microsoft.Data.Sqlite then looks each one up four times per execution (the bare
    /// name, then with each of <c>@ : $</c>, to refuse an ambiguous one), each a native call with the name converted to
    /// UTF-8: about a fifth of the writer's time in a check-in's profile. Named as in the SQL, the first lookup finds it.
    /// </summary>
    public void NameParameters(SqliteCommand command)
    {
        var names = _byText.TryGetValue(command.CommandText, out var node) && ReferenceEquals(node.Value.Command, command) ? node.Value.Names : null;
        var parameters = command.Parameters;
        for (var i = 0; i < parameters.Count; i++) // by index: the collection's enumerator is boxed
        {
            var parameter = parameters[i];
            var name = parameter.ParameterName;
            if (name.Length == 0 || name[0] is '@' or ':' or '$')
            {
                continue;
            }
            if (names is null || !names.TryGetValue(name, out var named))
            {
                named = PrefixedAsIn(command.CommandText, name);
                names?.Add(name, named);
            }
            parameter.ParameterName = named;
        }
    }

    /// <summary>The one of <c>@name :name $name</c> the SQL holds; the bare name when it holds none or several (the driver decides then).</summary>
    private static string PrefixedAsIn(string sql, string name)
    {
        string? found = null;
        foreach (var prefix in "@:$")
        {
            var candidate = prefix + name;
            if (ContainsName(sql, candidate))
            {
                if (found is not null)
                {
                    return name;
                }
                found = candidate;
            }
        }
        return found ?? name;
    }

    /// <summary>Whether <paramref name="sql"/> holds <paramref name="name"/> as a whole parameter name (<c>@k1</c> is not in <c>@k10</c>).</summary>
    private static bool ContainsName(string sql, string name)
    {
        for (var at = sql.IndexOf(name, StringComparison.Ordinal); at >= 0; at = sql.IndexOf(name, at + 1, StringComparison.Ordinal))
        {
            var end = at + name.Length;
            if (end == sql.Length || !(char.IsLetterOrDigit(sql[end]) || sql[end] == '_'))
            {
                return true;
            }
        }
        return false;
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

    private readonly Dictionary<Statement, SqliteCompiledStatement> _compiled = new(ReferenceEqualityComparer.Instance);

    /// <summary>
    /// The compiled form of <paramref name="statement"/>, kept by the statement object (one per text by contract); one of
    /// its own when the kept one is running (a row callback running the same statement), finalized after use by
    /// <see cref="Return(SqliteCompiledStatement)"/>. Bounded like the commands: past the capacity, all kept ones that are
    /// idle are finalized (the hot ones are compiled again at once).
    /// </summary>
    public SqliteCompiledStatement Rent(Statement statement)
    {
        if (_compiled.TryGetValue(statement, out var kept))
        {
            if (!kept.InUse)
            {
                Reused++;
                return kept;
            }
            Prepared++;
            return new SqliteCompiledStatement(connection.Handle!, statement);
        }
        if (_compiled.Count >= capacity)
        {
            foreach (var (key, idle) in _compiled.Where(p => !p.Value.InUse).ToList())
            {
                _compiled.Remove(key);
                idle.Dispose();
            }
        }
        Prepared++;
        var compiled = new SqliteCompiledStatement(connection.Handle!, statement);
        _compiled[statement] = compiled;
        return compiled;
    }

    /// <summary>Finalizes a compiled statement that is not the kept one of its statement.</summary>
    public void Return(SqliteCompiledStatement compiled)
    {
        if (!(_compiled.TryGetValue(compiled.Statement, out var kept) && ReferenceEquals(kept, compiled)))
        {
            compiled.Dispose();
        }
    }

    /// <summary>Finalizes every kept statement (before the connection closes).</summary>
    public void Dispose()
    {
        foreach (var compiled in _compiled.Values)
        {
            compiled.Dispose();
        }
        _compiled.Clear();
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

        /// <summary>Each parameter name Dapper gives, as this SQL writes it (<see cref="NameParameters"/>).</summary>
        public Dictionary<string, string> Names { get; } = new(StringComparer.Ordinal);
    }
}
