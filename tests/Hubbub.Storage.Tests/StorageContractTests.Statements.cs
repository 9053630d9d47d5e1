using Dapper;
using Hubbub.Storage.Migrations;
using Microsoft.Extensions.DependencyInjection;

namespace Hubbub.Storage.Tests;

// Statements with values by position (Statement): on SQLite's writer they run on the compiled statement with each value
// bound to its slot, elsewhere as named parameters; both must read and write exactly what the named form (Dapper) does.
public abstract partial class StorageContractTests
{
    private static void Typed(IServiceCollection services) => services.AddHubbubMigrations("typed", m => m
        .Add(1, "typed values",
            sqlite: """
                CREATE TABLE typed_a (id INTEGER PRIMARY KEY, t TEXT, i INTEGER, r REAL);
                CREATE TABLE typed_b (id INTEGER PRIMARY KEY, t TEXT, i INTEGER, r REAL);
                """,
            postgres: """
                CREATE TABLE typed_a (id BIGINT PRIMARY KEY, t TEXT, i BIGINT, r DOUBLE PRECISION);
                CREATE TABLE typed_b (id BIGINT PRIMARY KEY, t TEXT, i BIGINT, r DOUBLE PRECISION);
                """));

    private static readonly (string? T, long? I, double? R)[] Samples =
    [
        ("plain", 0, 0.0),
        ("", long.MaxValue, double.MaxValue),
        ("zß€😀 \"quoted\" 'single' @notAParameter", long.MinValue, -1e-300),
        (null, null, null),
        (new string('x', 5000), -1, 9_007_199_254_740_993.0),
        ("tab\tnew line\n", 42, 0.1),
    ];

    private static string UpsertSql(string table) =>
        $"""
        INSERT INTO {table} (id, t, i, r) VALUES (@id, @t, @i, @r) ON CONFLICT (id) DO UPDATE SET t = excluded.t, i = excluded.i, r = excluded.r;
        UPDATE {table} SET i = i + @step WHERE id = @id AND i IS NOT NULL AND i < 1000 AND i > -1000;
        -- a comment with @id in it
        """;

    private static readonly Statement UpsertA = new(UpsertSql("typed_a"));
    private static readonly Statement ReadA = new("SELECT id, t, i, r FROM typed_a WHERE id >= @from AND id < @to ORDER BY id");

    [Fact]
    public void A_statement_names_its_parameters_in_order_of_first_appearance_outside_quotes_and_comments()
    {
        Assert.Equal(["id", "t", "i", "r", "step"], UpsertA.Names);
        Assert.Equal(["user", "k_1"], new Statement("SELECT '@x', \"@y\" FROM t WHERE a = @user AND b = @k_1 OR c = @user").Names);
        Assert.Throws<ArgumentException>(() => new Statement(" "));
    }

    [Fact]
    public async Task Values_by_position_of_every_type_and_null_round_trip_as_the_named_form_writes_and_reads_them()
    {
        var node = Node(Typed);
        await node.Migrations.ApplyAsync();
        var db = node.Database;
        var changed = new List<(int, int)>();
        await db.InTransactionAsync(async tx =>
        {
            for (var id = 0; id < Samples.Length; id++)
            {
                var (t, i, r) = Samples[id];
                var positional = await tx.ExecuteAsync(UpsertA.Values().Add(id).Add(t).Add(i).Add(r).Add(1L));
                var named = await tx.ExecuteAsync(UpsertSql("typed_b"), new { id = (long)id, t, i, r, step = 1L });
                changed.Add((positional, named));
            }
        });
        Assert.All(changed, c => Assert.Equal(c.Item2, c.Item1));

        // Read back both ways, on the writer (in a transaction) and on a reader, from both tables: all four alike.
        var expected = await db.ReadAsync(tx => NamedRowsAsync(tx, "typed_b"));
        Assert.Equal(Samples.Length, expected.Count);
        Assert.Equal(("plain", 1L, 0.0), (expected[0].T, expected[0].I, expected[0].R)); // the second statement ran
        Assert.Equal(expected, await db.ReadAsync(tx => NamedRowsAsync(tx, "typed_a")));
        Assert.Equal(expected, await db.InTransactionAsync(PositionalRowsAsync));
        Assert.Equal(expected, await db.ReadAsync(PositionalRowsAsync));
        Assert.Equal(Samples.Select(s => s.T), expected.Select(e => e.T));
        Assert.Equal(Samples.Select(s => s.R), expected.Select(e => e.R));
    }

    private static async Task<List<(long Id, string? T, long? I, double? R)>> NamedRowsAsync(DatabaseTransaction tx, string table) =>
        (await tx.QueryAsync<(long, string?, long?, double?)>($"SELECT id, t, i, r FROM {table} ORDER BY id")).ToList();

    private static async Task<List<(long Id, string? T, long? I, double? R)>> PositionalRowsAsync(DatabaseTransaction tx)
    {
        var rows = new List<(long, string?, long?, double?)>();
        await tx.QueryAsync(ReadA.Values().Add(0L).Add(100L), rows,
            static (row, rows) => rows.Add((row.GetInt64(0), row.GetStringOrNull(1), row.GetInt64OrNull(2), row.IsNull(3) ? null : row.GetDouble(3))));
        return rows;
    }

    [Fact]
    public async Task A_single_row_statement_reads_one_row_and_refuses_none_or_several()
    {
        var node = Node(Typed);
        await node.Migrations.ApplyAsync();
        var db = node.Database;
        await db.InTransactionAsync(async tx =>
        {
            await tx.ExecuteAsync(UpsertA.Values().Add(1L).Add("one").Add(10L).Add(1.5).Add(0L));
            await tx.ExecuteAsync(UpsertA.Values().Add(2L).Add("two").Add(20L).Add(2.5).Add(0L));
        });
        var one = await db.InTransactionAsync(async tx => await tx.QuerySingleAsync(ReadA.Values().Add(1L).Add(2L), row => (row.GetString(1), row.GetInt64(2))));
        Assert.Equal(("one", 10L), one);
        await Assert.ThrowsAsync<InvalidOperationException>(() => db.InTransactionAsync(async tx =>
            await tx.QuerySingleAsync(ReadA.Values().Add(5L).Add(9L), row => row.GetInt64(0))));
        await Assert.ThrowsAsync<InvalidOperationException>(() => db.ReadAsync(async tx =>
            await tx.QuerySingleAsync(ReadA.Values().Add(0L).Add(9L), row => row.GetInt64(0))));
    }

    [Fact]
    public async Task Too_few_or_too_many_values_are_refused_with_the_parameters_named_and_a_failed_statement_runs_again()
    {
        var node = Node(Typed);
        await node.Migrations.ApplyAsync();
        var db = node.Database;
        var few = await Assert.ThrowsAsync<InvalidOperationException>(() => db.InTransactionAsync(async tx => await tx.ExecuteAsync(UpsertA.Values().Add(1L))));
        Assert.Contains("5 parameters (id, t, i, r, step) and 1 values", few.Message, StringComparison.Ordinal);
        var many = Assert.Throws<InvalidOperationException>(() => ReadA.Values().Add(1L).Add(2L).Add(3L));
        Assert.Contains("one value too many", many.Message, StringComparison.Ordinal);

        // A constraint the database refuses: its own error, the transaction rolled back, and the statement works after.
        var insert = new Statement("INSERT INTO typed_a (id, t) VALUES (@id, @t)");
        await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => db.InTransactionAsync(async tx =>
        {
            await tx.ExecuteAsync(insert.Values().Add(7L).Add("first"));
            return await tx.ExecuteAsync(insert.Values().Add(7L).Add("again"));
        }));
        Assert.Equal(1, await db.InTransactionAsync(async tx => await tx.ExecuteAsync(insert.Values().Add(7L).Add("after"))));
        Assert.Equal("after", await db.ReadAsync(tx => tx.ExecuteScalarAsync<string>("SELECT t FROM typed_a WHERE id = 7")));
    }
}
