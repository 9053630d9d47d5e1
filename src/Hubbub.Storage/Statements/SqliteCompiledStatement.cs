using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Hubbub.Storage;

/// <summary>
/// A <see cref="Statement"/> compiled on the writer's connection and kept (<see cref="SqliteStatementCache"/>): each of its
/// SQL statements with, per parameter slot, the position of its value. An execution binds every value to its slot (text
/// as UTF-16, which SQLite copies: nothing is allocated), steps each statement and resets it. Used by one thread at a time.
/// </summary>
internal sealed class SqliteCompiledStatement : IDisposable
{
    private readonly sqlite3 _db;
    private readonly (sqlite3_stmt Statement, int[] Values)[] _parts;

    public SqliteCompiledStatement(sqlite3 db, Statement statement)
    {
        _db = db;
        Statement = statement;
        var parts = new List<(sqlite3_stmt, int[])>();
        try
        {
            ReadOnlySpan<byte> sql = Encoding.UTF8.GetBytes(statement.Sql);
            while (!sql.IsEmpty)
            {
                var rc = raw.sqlite3_prepare_v2(db, sql, out var stmt, out var tail);
                if (rc != raw.SQLITE_OK)
                {
                    stmt?.Dispose();
                    SqliteException.ThrowExceptionForRC(rc, db);
                }
                sql = tail;
                if (stmt is null || stmt.IsInvalid)
                {
                    continue; // only white space or a comment was left
                }
                var count = raw.sqlite3_bind_parameter_count(stmt);
                var values = new int[count];
                for (var slot = 1; slot <= count; slot++)
                {
                    var name = raw.sqlite3_bind_parameter_name(stmt, slot).utf8_to_string();
                    var index = name is { Length: > 1 } && name[0] is '@' ? statement.IndexOf(name[1..]) : -1;
                    if (index < 0)
                    {
                        stmt.Dispose();
                        throw new InvalidOperationException($"parameter {name ?? "?" + slot} of a statement is not an @name of its text");
                    }
                    values[slot - 1] = index;
                }
                parts.Add((stmt, values));
            }
        }
        catch
        {
            foreach (var (stmt, _) in parts)
            {
                stmt.Dispose();
            }
            throw;
        }
        _parts = [.. parts];
    }

    public Statement Statement { get; }

    private static readonly byte[] EmptyText = [0]; // "" in UTF-8 with its terminating zero

    /// <summary>Whether it is running now (a row callback running it again gets a compiled statement of its own).</summary>
    public bool InUse { get; private set; }

    /// <summary>
    /// Runs every part with <paramref name="values"/>; each row of a part that returns rows goes to <paramref name="onRow"/>.
    /// Returns the rows the parts that write changed.
    /// </summary>
    public int Run<TState>(StatementValues values, TState state, Action<StatementRow, TState>? onRow)
    {
        values.EnsureComplete();
        var row = onRow is null ? null : new StatementRow();
        InUse = true;
        var changed = 0;
        try
        {
            foreach (var (stmt, slots) in _parts)
            {
                try
                {
                    Bind(stmt, slots, values);
                    int rc;
                    while ((rc = raw.sqlite3_step(stmt)) == raw.SQLITE_ROW)
                    {
                        onRow?.Invoke(row!.On(stmt), state);
                    }
                    if (rc != raw.SQLITE_DONE)
                    {
                        SqliteException.ThrowExceptionForRC(rc, _db);
                    }
                    if (raw.sqlite3_stmt_readonly(stmt) == 0)
                    {
                        changed += raw.sqlite3_changes(_db);
                    }
                }
                finally
                {
                    raw.sqlite3_reset(stmt);
                }
            }
        }
        finally
        {
            InUse = false;
        }
        return changed;
    }

    private void Bind(sqlite3_stmt stmt, int[] slots, StatementValues values)
    {
        for (var slot = 0; slot < slots.Length; slot++)
        {
            ref readonly var value = ref values[slots[slot]];
            var rc = value.Kind switch
            {
                // An empty span is bound from a null pointer, which SQLite takes for NULL: "" goes as a terminated empty UTF-8 text.
                StatementValues.ValueKind.Text => value.Text!.Length == 0
                    ? raw.sqlite3_bind_text(stmt, slot + 1, utf8z.FromSpan(EmptyText))
                    : raw.sqlite3_bind_text16(stmt, slot + 1, value.Text.AsSpan()),
                StatementValues.ValueKind.Integer => raw.sqlite3_bind_int64(stmt, slot + 1, value.Integer),
                StatementValues.ValueKind.Real => raw.sqlite3_bind_double(stmt, slot + 1, value.Real),
                _ => raw.sqlite3_bind_null(stmt, slot + 1),
            };
            if (rc != raw.SQLITE_OK)
            {
                SqliteException.ThrowExceptionForRC(rc, _db);
            }
        }
    }

    /// <summary>Finalizes every part (before the connection closes).</summary>
    public void Dispose()
    {
        foreach (var (stmt, _) in _parts)
        {
            stmt.Dispose();
        }
    }
}
