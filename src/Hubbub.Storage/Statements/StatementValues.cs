using System.Data;

namespace Hubbub.Storage;

/// <summary>
/// The values of one execution of a <see cref="Statement"/>, added in the order of its <see cref="Statement.Names"/>:
/// text, 64-bit integers and doubles, each possibly null, kept unboxed.
/// </summary>
public sealed class StatementValues
{
    private readonly Value[] _values;
    private int _count;

    internal StatementValues(Statement statement)
    {
        Statement = statement;
        _values = new Value[statement.Names.Count];
    }

    /// <summary>The statement these values are for.</summary>
    public Statement Statement { get; }

    /// <summary>Adds the next value: text, or NULL.</summary>
    public StatementValues Add(string? value) => Next(value is null ? new Value(ValueKind.NullText, 0, null) : new Value(ValueKind.Text, 0, value));

    /// <summary>Adds the next value: a 64-bit integer.</summary>
    public StatementValues Add(long value) => Next(new Value(ValueKind.Integer, value, null));

    /// <summary>Adds the next value: a 64-bit integer, or NULL.</summary>
    public StatementValues Add(long? value) => Next(value is { } v ? new Value(ValueKind.Integer, v, null) : new Value(ValueKind.NullInteger, 0, null));

    /// <summary>Adds the next value: a double.</summary>
    public StatementValues Add(double value) => Next(new Value(ValueKind.Real, BitConverter.DoubleToInt64Bits(value), null));

    /// <summary>Adds the next value: a double, or NULL.</summary>
    public StatementValues Add(double? value) => Next(value is { } v ? new Value(ValueKind.Real, BitConverter.DoubleToInt64Bits(v), null) : new Value(ValueKind.NullReal, 0, null));

    /// <summary>How many values were added.</summary>
    public int Count => _count;

    internal ref readonly Value this[int index] => ref _values[index];

    /// <summary>Throws unless every parameter has its value.</summary>
    internal void EnsureComplete()
    {
        if (_count != _values.Length)
        {
            throw new InvalidOperationException(
                $"the statement has {_values.Length} parameters ({string.Join(", ", Statement.Names)}) and {_count} values were given");
        }
    }

    private StatementValues Next(Value value)
    {
        if (_count == _values.Length)
        {
            throw new InvalidOperationException($"the statement has {_values.Length} parameters ({string.Join(", ", Statement.Names)}); one value too many");
        }
        _values[_count++] = value;
        return this;
    }

    internal enum ValueKind : byte
    {
        Text,
        Integer,
        Real,
        NullText,
        NullInteger,
        NullReal,
    }

    // 24 bytes: a double is kept as its bits in the integer's field.
    internal readonly record struct Value(ValueKind Kind, long Bits, string? Text)
    {
        public long Integer => Bits;

        public double Real => BitConverter.Int64BitsToDouble(Bits);

        public bool IsNull => Kind >= ValueKind.NullText;

        /// <summary>The value as a named parameter takes it (boxed; only off the writer's fast path).</summary>
        public object Boxed => Kind switch
        {
            ValueKind.Text => Text!,
            ValueKind.Integer => Integer,
            ValueKind.Real => Real,
            _ => DBNull.Value,
        };

        public DbType DbType => Kind switch
        {
            ValueKind.Text or ValueKind.NullText => DbType.String,
            ValueKind.Integer or ValueKind.NullInteger => DbType.Int64,
            _ => DbType.Double,
        };
    }
}
