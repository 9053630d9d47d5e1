namespace Hubbub.Storage;

/// <summary>
/// A SQL text written with named parameters (<c>@name</c>, as everywhere in Hubbub) whose values are given by position, in
/// the order each name first appears in the text (<see cref="Values"/>). For the few statements run once or more per event
/// on SQLite's one writer: there a statement runs on its kept compiled form with each value bound straight to its slot, so
/// an execution makes neither a parameter object, nor a name lookup, nor a parameter bag (Dapper's), which were a third
/// of the bytes the writer allocated per event (docs/performance.md). On PostgreSQL, and on SQLite outside the writer, it
/// runs as the same text with the same values as named parameters.
/// </summary>
/// <remarks>Made once per text and kept (a static, or one per shape of a generated text): it is the key its compiled form is kept by.</remarks>
public sealed class Statement
{
    /// <summary>A statement of <paramref name="sql"/>; its parameters are the <c>@name</c>s it holds outside quotes.</summary>
    public Statement(string sql)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sql);
        Sql = sql;
        Names = NamesIn(sql);
    }

    /// <summary>The SQL text.</summary>
    public string Sql { get; }

    /// <summary>Its parameters' names without the <c>@</c>, in the order of their first appearance: the order of the values.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>An empty set of values for one execution, to fill in order with <c>Add</c>.</summary>
    public StatementValues Values() => new(this);

    /// <summary>Where <paramref name="name"/> (without <c>@</c>) is in <see cref="Names"/>, or -1.</summary>
    internal int IndexOf(string name)
    {
        for (var i = 0; i < Names.Count; i++)
        {
            if (string.Equals(Names[i], name, StringComparison.Ordinal))
            {
                return i;
            }
        }
        return -1;
    }

    /// <summary>The <c>@name</c>s of <paramref name="sql"/> in order of first appearance, skipping quoted text and comments.</summary>
    private static string[] NamesIn(string sql)
    {
        var names = new List<string>();
        for (var i = 0; i < sql.Length; i++)
        {
            var c = sql[i];
            if (c is '\'' or '"')
            {
                var end = sql.IndexOf(c, i + 1);
                i = end < 0 ? sql.Length : end;
            }
            else if (c == '-' && i + 1 < sql.Length && sql[i + 1] == '-')
            {
                var end = sql.IndexOf('\n', i);
                i = end < 0 ? sql.Length : end;
            }
            else if (c == '@' && i + 1 < sql.Length && IsNameStart(sql[i + 1]))
            {
                var start = i + 1;
                var end = start;
                while (end < sql.Length && IsNamePart(sql[end]))
                {
                    end++;
                }
                var name = sql[start..end];
                if (!names.Contains(name))
                {
                    names.Add(name);
                }
                i = end - 1;
            }
        }
        return [.. names];
    }

    private static bool IsNameStart(char c) => char.IsAsciiLetter(c) || c == '_';

    private static bool IsNamePart(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';
}
