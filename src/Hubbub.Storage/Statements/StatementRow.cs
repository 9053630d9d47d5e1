using System.Data.Common;
using System.Globalization;
using SQLitePCL;

namespace Hubbub.Storage;

/// <summary>
/// The current row of a <see cref="Statement"/>'s query, read by column position: on the SQLite writer straight from the
/// compiled statement, elsewhere from the driver's reader. Valid only inside the callback it is handed to.
/// </summary>
public sealed class StatementRow
{
    private sqlite3_stmt? _statement;
    private DbDataReader? _reader;

    internal StatementRow On(sqlite3_stmt statement)
    {
        (_statement, _reader) = (statement, null);
        return this;
    }

    internal StatementRow On(DbDataReader reader)
    {
        (_statement, _reader) = (null, reader);
        return this;
    }

    /// <summary>Whether column <paramref name="i"/> is NULL.</summary>
    public bool IsNull(int i) => _statement is { } s ? raw.sqlite3_column_type(s, i) == raw.SQLITE_NULL : Reader.IsDBNull(i);

    /// <summary>Column <paramref name="i"/> as a 64-bit integer (NULL: an error).</summary>
    public long GetInt64(int i) => _statement is { } s
        ? NotNull(s, i, raw.sqlite3_column_int64(s, i))
        : Convert.ToInt64(Reader.GetValue(i), CultureInfo.InvariantCulture);

    /// <summary>Column <paramref name="i"/> as a double (NULL: an error).</summary>
    public double GetDouble(int i) => _statement is { } s
        ? NotNull(s, i, raw.sqlite3_column_double(s, i))
        : Convert.ToDouble(Reader.GetValue(i), CultureInfo.InvariantCulture);

    /// <summary>Column <paramref name="i"/> as text (NULL: an error).</summary>
    public string GetString(int i) => GetStringOrNull(i) ?? throw new InvalidOperationException($"column {i} is NULL");

    /// <summary>Column <paramref name="i"/> as a 64-bit integer, or null.</summary>
    public long? GetInt64OrNull(int i) => IsNull(i) ? null : GetInt64(i);

    /// <summary>Column <paramref name="i"/> as text, or null.</summary>
    public string? GetStringOrNull(int i)
    {
        if (IsNull(i))
        {
            return null;
        }
        return _statement is { } s ? raw.sqlite3_column_text(s, i).utf8_to_string() : Convert.ToString(Reader.GetValue(i), CultureInfo.InvariantCulture);
    }

    private DbDataReader Reader => _reader ?? throw new InvalidOperationException("the row is read only inside its callback");

    private static T NotNull<T>(sqlite3_stmt s, int i, T value) =>
        raw.sqlite3_column_type(s, i) == raw.SQLITE_NULL ? throw new InvalidOperationException($"column {i} is NULL") : value;
}
