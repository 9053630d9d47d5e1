using Dapper;
using Hubbub.Server.Auth;
using Hubbub.Storage;
using Hubbub.Storage.Tests.Infrastructure;

namespace Hubbub.Storage.Tests;

/// <summary>The storage contract on SQLite (a temp file), plus what only SQLite needs: WAL, busy timeout, IMMEDIATE.</summary>
public sealed class SqliteStorageTests : StorageContractTests
{
    protected override Task<TestDatabase> CreateDatabaseAsync() => Task.FromResult<TestDatabase>(new SqliteTestDatabase());

    private string File => ((SqliteTestDatabase)Db).File;

    [Fact]
    public async Task Migrating_creates_the_file_in_write_ahead_log_mode()
    {
        var node = Node(Widgets);
        await node.Migrations.ApplyAsync();

        Assert.True(System.IO.File.Exists(File));
        await using var connection = await node.Database.OpenConnectionAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", (string?)await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task A_configured_page_size_applies_to_a_new_file_and_an_existing_file_keeps_its_own()
    {
        // A new file takes Storage:SqlitePageSize.
        var created = Node(Widgets, new Dictionary<string, string?> { ["Storage:SqlitePageSize"] = "2048" });
        await created.Migrations.ApplyAsync();
        Assert.Equal(2048L, await PageSizeAsync(created.Database));

        // The same file started with another setting (an upgrade that sets it, or changes it): it keeps its page size,
        // migrates, and reads and writes as before.
        var restarted = Node(Widgets, new Dictionary<string, string?> { ["Storage:SqlitePageSize"] = "1024" });
        await restarted.Migrations.ApplyAsync();
        await restarted.Database.InTransactionAsync(tx => tx.ExecuteAsync("INSERT INTO widgets (name) VALUES ('kept')"));
        Assert.Equal(2048L, await PageSizeAsync(restarted.Database));
        Assert.Equal("kept", await restarted.Database.ReadAsync(tx => tx.ExecuteScalarAsync<string>("SELECT name FROM widgets WHERE name = 'kept'")));
    }

    [Fact]
    public async Task A_file_made_with_the_default_page_size_keeps_it_when_a_page_size_is_configured()
    {
        // Every database made before the setting existed: it keeps SQLite's 4096, migrates, reads and writes.
        await Node(Widgets).Migrations.ApplyAsync();
        var upgraded = Node(Widgets, new Dictionary<string, string?> { ["Storage:SqlitePageSize"] = "2048" });
        await upgraded.Migrations.ApplyAsync();
        await upgraded.Database.InTransactionAsync(tx => tx.ExecuteAsync("INSERT INTO widgets (name) VALUES ('old')"));
        Assert.Equal(4096L, await PageSizeAsync(upgraded.Database));
        Assert.Equal("old", await upgraded.Database.ReadAsync(tx => tx.ExecuteScalarAsync<string>("SELECT name FROM widgets WHERE name = 'old'")));
    }

    private static Task<long> PageSizeAsync(IDatabase database) => database.ReadAsync(tx => tx.ExecuteScalarAsync<long>("PRAGMA page_size"));

    [Fact]
    public async Task Every_connection_waits_for_the_write_lock_enforces_foreign_keys_and_syncs_normally()
    {
        var node = Node(Widgets, new Dictionary<string, string?> { ["Storage:SqliteBusyTimeoutMs"] = "1234" });
        await using var connection = await node.Database.OpenConnectionAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA busy_timeout";
        Assert.Equal(1234L, (long)(await command.ExecuteScalarAsync())!);
        command.CommandText = "PRAGMA foreign_keys";
        Assert.Equal(1L, (long)(await command.ExecuteScalarAsync())!);
        command.CommandText = "PRAGMA synchronous";
        Assert.Equal(1L, (long)(await command.ExecuteScalarAsync())!); // NORMAL
    }

    [Fact]
    public async Task A_file_that_is_not_a_database_is_reported_as_unreachable()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(File)!);
        await System.IO.File.WriteAllTextAsync(File, new string('x', 4096));
        var node = Node(Widgets);

        var ex = await Assert.ThrowsAsync<StartupException>(() => node.Migrations.ApplyAsync());
        Assert.StartsWith("cannot reach the database (SQLite file " + File + ")", ex.Message, StringComparison.Ordinal);
        var health = await new DatabaseHealthCheck(node.Database).CheckHealthAsync(new());
        Assert.Equal(Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Unhealthy, health.Status);
    }

    [Fact]
    public async Task A_folder_that_cannot_be_created_is_reported_as_unreachable()
    {
        var blocker = Path.Combine(Db.Folder, "not-a-folder");
        await System.IO.File.WriteAllTextAsync(blocker, "a file where the database folder should be");
        var path = Path.Combine(blocker, "hubbub.db");
        await using var node = new StorageNode([new("ConnectionStrings:Sqlite", path)], Db.Folder);

        var ex = await Assert.ThrowsAsync<StartupException>(() => node.Migrations.ApplyAsync());
        Assert.StartsWith($"cannot reach the database (SQLite file {path})", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_writer_waiting_longer_than_the_busy_and_command_timeouts_for_this_nodes_queue_fails_as_locked_and_the_holder_commits()
    {
        // Before the queue a writer waited busy_timeout in SQLite, then Microsoft.Data.Sqlite's retries until the command
        // timeout: the queue bounds its wait by both (1.2 s here).
        await using var node = new StorageNode(
            [new("ConnectionStrings:Sqlite", $"Data Source={File};Default Timeout=1"), new("Storage:SqliteBusyTimeoutMs", "200")], Db.Folder, Widgets);
        await node.Migrations.ApplyAsync();
        var holding = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var holder = node.Database.InTransactionAsync(async tx =>
        {
            await tx.ExecuteAsync("INSERT INTO widgets (name) VALUES ('held')");
            holding.SetResult();
            await release.Task;
            return true;
        });
        await holding.Task.WaitAsync(TimeSpan.FromSeconds(10));

        // Queued behind the holder on the writer thread, not in SQLite's busy handler: the same error after the same bound.
        var ex = await Assert.ThrowsAsync<Microsoft.Data.Sqlite.SqliteException>(() =>
            node.Database.InTransactionAsync(tx => tx.ExecuteAsync("INSERT INTO widgets (name) VALUES ('late')")).WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(5, ex.SqliteErrorCode); // SQLITE_BUSY
        release.SetResult();
        await holder.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(["held"], await node.Database.ReadAsync(async tx => (await tx.QueryAsync<string>("SELECT name FROM widgets")).ToList()));
    }

    [Fact]
    public async Task A_write_begun_inside_a_write_fails_as_locked_instead_of_waiting_for_itself_forever()
    {
        // Microsoft.Data.Sqlite retries a busy statement until the command timeout (30 s by default) after SQLite's own
        // busy_timeout: one second here, to keep the test short.
        await using var node = new StorageNode(
            [new("ConnectionStrings:Sqlite", $"Data Source={File};Default Timeout=1"), new("Storage:SqliteBusyTimeoutMs", "200")], Db.Folder, Widgets);
        await node.Migrations.ApplyAsync();

        // The inner write skips the queue its own outer write holds, and meets the busy timeouts as it always did.
        var ex = await Assert.ThrowsAsync<Microsoft.Data.Sqlite.SqliteException>(() => node.Database.InTransactionAsync(async tx =>
        {
            await tx.ExecuteAsync("INSERT INTO widgets (name) VALUES ('outer')");
            return await node.Database.InTransactionAsync(inner => inner.ExecuteAsync("INSERT INTO widgets (name) VALUES ('inner')"));
        }).WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(5, ex.SqliteErrorCode);
        Assert.Equal(0L, await node.Database.ReadAsync(tx => tx.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM widgets")));
    }

    [Theory]
    [InlineData("true")]
    [InlineData("false")]
    public async Task Many_concurrent_writers_lose_no_update_with_the_queue_on_or_off(string queueWriters)
    {
        const int Writers = 64;
        var node = Node(Widgets, new Dictionary<string, string?> { ["Storage:SqliteQueueWriters"] = queueWriters, ["Storage:SqliteBusyTimeoutMs"] = "30000" });
        await node.Migrations.ApplyAsync();

        await Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(() => node.Database.InTransactionAsync(async tx =>
        {
            await tx.ExecuteAsync("INSERT INTO widgets (name) VALUES (@name)", new { name = $"w{w}" });
            return await tx.ExecuteAsync("UPDATE widget_counters SET value = value + 1 WHERE name = 'total'");
        }))));

        Assert.Equal((long)Writers, await node.Database.ReadAsync(tx => tx.ExecuteScalarAsync<long>("SELECT value FROM widget_counters WHERE name = 'total'")));
    }

    [Fact]
    public async Task The_background_checkpointer_copies_the_log_into_the_file_while_writes_go_on_and_loses_none()
    {
        const int Writers = 300;
        var node = Node(Widgets, new Dictionary<string, string?> { ["Storage:SqliteBackgroundCheckpoint"] = "true", ["Storage:SqliteBusyTimeoutMs"] = "30000" });
        await node.Migrations.ApplyAsync();
        var before = new FileInfo(File).Length;

        // About 300 pages of log: below SQLite's own automatic checkpoint (1,000 pages; the writer's bound is 8,000), so
        // only the checkpointer can have copied them into the file.
        await Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(() => node.Database.InTransactionAsync(async tx =>
        {
            await tx.ExecuteAsync("INSERT INTO widgets (name) VALUES (@name)", new { name = $"w{w}-" + new string('x', 3000) });
            return await tx.ExecuteAsync("UPDATE widget_counters SET value = value + 1 WHERE name = 'total'");
        }))));

        Assert.Equal((long)Writers, await node.Database.ReadAsync(tx => tx.ExecuteScalarAsync<long>("SELECT value FROM widget_counters WHERE name = 'total'")));
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (new FileInfo(File).Length < before + (Writers * 3000L) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }
        Assert.True(new FileInfo(File).Length >= before + (Writers * 3000L), $"the file grew {new FileInfo(File).Length - before} bytes");
    }

    [Fact]
    public async Task Writes_committed_together_keep_each_ones_failure_to_itself()
    {
        const int Writers = 60;
        var node = Node(Widgets, new Dictionary<string, string?> { ["Storage:SqliteGroupCommit"] = "16" });
        await node.Migrations.ApplyAsync();

        // Concurrent writes queue and are committed in groups; every third throws after writing, and must leave nothing.
        var outcomes = await Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            try
            {
                await node.Database.InTransactionAsync(async tx =>
                {
                    await tx.ExecuteAsync("INSERT INTO widgets (name) VALUES (@name)", new { name = $"w{w}" });
                    await tx.ExecuteAsync("UPDATE widget_counters SET value = value + 1 WHERE name = 'total'");
                    return w % 3 == 0 ? throw new InvalidOperationException($"refused {w}") : true;
                });
                return "ok";
            }
            catch (InvalidOperationException ex)
            {
                return ex.Message;
            }
        })));

        Assert.Equal(Enumerable.Range(0, Writers).Select(w => w % 3 == 0 ? $"refused {w}" : "ok"), outcomes);
        var names = await node.Database.ReadAsync(async tx => (await tx.QueryAsync<string>("SELECT name FROM widgets")).ToHashSet());
        Assert.Equal(Enumerable.Range(0, Writers).Where(w => w % 3 != 0).Select(w => $"w{w}").ToHashSet(), names);
        Assert.Equal(Writers - (Writers + 2) / 3, await node.Database.ReadAsync(tx => tx.ExecuteScalarAsync<long>("SELECT value FROM widget_counters WHERE name = 'total'")));
    }

    [Fact]
    public async Task The_writer_runs_repeated_sql_on_kept_statements_rebinding_every_value_and_drops_one_that_failed()
    {
        var node = Node(Widgets);
        await node.Migrations.ApplyAsync();
        var database = (SqliteDatabase)node.Database;
        const string Insert = "INSERT INTO widgets (name) VALUES (@name) RETURNING id";

        // The same text with new values each time, one at a time: compiled once, then rerun with each call's own values.
        var (preparedBefore, reusedBefore) = database.WriterStatements; // the migrations' own statements
        for (var i = 0; i < 20; i++)
        {
            await node.Database.InTransactionAsync(tx => tx.QuerySingleAsync<long>(Insert, new { name = $"w{i}" }));
        }
        var (prepared, reused) = database.WriterStatements;
        Assert.Equal(19, reused - reusedBefore);
        Assert.Equal(1, prepared - preparedBefore); // BEGIN and COMMIT are the transaction's own, not commands

        // A kept statement that fails (a duplicate name) is dropped; the same text then runs fresh, and the failed call left nothing.
        await Assert.ThrowsAsync<Microsoft.Data.Sqlite.SqliteException>(() =>
            node.Database.InTransactionAsync(tx => tx.QuerySingleAsync<long>(Insert, new { name = "w3" })));
        await node.Database.InTransactionAsync(tx => tx.QuerySingleAsync<long>(Insert, new { name = "after" }));
        Assert.Equal(prepared + 1, database.WriterStatements.Prepared);

        // A text whose kept command is still reading (a reader open) gets a command of its own, not the busy one.
        var pairs = await node.Database.InTransactionAsync(async tx =>
        {
            const string Names = "SELECT name FROM widgets WHERE name >= @from ORDER BY name";
            using var reader = await tx.Connection.ExecuteReaderAsync(new CommandDefinition(Names, new { from = "w1" }, tx.Transaction));
            var seen = new List<string>();
            while (await reader.ReadAsync())
            {
                seen.Add(reader.GetString(0) + "/" + string.Join(",", await tx.QueryAsync<string>(Names, new { from = "w8" })));
            }
            return seen;
        });
        Assert.Equal(19, pairs.Count); // w1, w10-w19, w2-w9
        Assert.All(pairs, p => Assert.EndsWith("/w8,w9", p, StringComparison.Ordinal));

        var names = await node.Database.ReadAsync(async tx => (await tx.QueryAsync<string>("SELECT name FROM widgets ORDER BY id")).ToList());
        Assert.Equal([.. Enumerable.Range(0, 20).Select(i => $"w{i}"), "after"], names);
    }

    [Fact]
    public async Task The_writer_keeps_every_parameter_when_dapper_expands_a_list_parameter()
    {
        // Dapper rewrites `IN @names` to `IN (@names1, @names2, …)` after adding the parameters: the kept command of the
        // new text must get all of them (the expanded ones and the others), on the first run and when it is reused.
        var node = Node(Widgets);
        await node.Migrations.ApplyAsync();
        await node.Database.InTransactionAsync(tx => tx.ExecuteAsync("INSERT INTO widgets (name) VALUES ('a'), ('b'), ('c'), ('d')"));
        for (var run = 0; run < 2; run++)
        {
            var found = await node.Database.InTransactionAsync(async tx => (await tx.QueryAsync<string>(
                "SELECT name FROM widgets WHERE name IN @names AND name <> @except ORDER BY name", new { names = new[] { "a", "b", "d" }, except = "b" })).ToList());
            Assert.Equal(["a", "d"], found);
        }
    }

    [Fact]
    public async Task The_writer_counts_what_its_thread_allocates_running_writes_in_the_storage_meter()
    {
        var node = Node(Widgets);
        await node.Migrations.ApplyAsync();
        long before = WriterAllocated();
        const int Bytes = 1 << 20;
        await node.Database.InTransactionAsync(tx =>
        {
            // Allocated on the writer thread, before the work's first await (SQLite's calls complete synchronously).
            GC.KeepAlive(new byte[Bytes]);
            return tx.ExecuteAsync("INSERT INTO widgets (name) VALUES ('counted')");
        });
        Assert.InRange(WriterAllocated() - before, Bytes, long.MaxValue); // other tests' writers may add theirs too
    }

    [Fact]
    public async Task The_writer_counts_the_pages_it_writes_to_the_log_and_its_writes_commits_and_commands_in_the_storage_meter()
    {
        var node = Node(Widgets);
        await node.Migrations.ApplyAsync();
        var (pages, writes, commits, commands) = (WriterCounter("pages_written"), WriterCounter("writes"), WriterCounter("commits"), WriterCounter("commands"));
        // A row of ~3 pages: its overflow pages, the table's page and the schema's are written to the log by the commit.
        // Two commands: the insert and a read.
        await node.Database.InTransactionAsync(async tx =>
        {
            await tx.ExecuteAsync("INSERT INTO widgets (name) VALUES (@name)", new { name = new string('x', 10_000) });
            return await tx.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM widgets");
        });
        Assert.InRange(WriterCounter("commands") - commands, 2, long.MaxValue); // other tests' writers may add theirs too
        Assert.InRange(WriterCounter("pages_written") - pages, 3, long.MaxValue); // other tests' writers may add theirs too
        Assert.InRange(WriterCounter("writes") - writes, 1, long.MaxValue);
        Assert.InRange(WriterCounter("commits") - commits, 1, long.MaxValue);
        Assert.InRange(WriterCounter("pages_read"), 0, long.MaxValue);
    }

    /// <summary>The storage meter's <c>sqlite.writer.allocated</c> as exported (an observable counter, read on demand).</summary>
    private static long WriterAllocated() => WriterCounter("allocated");

    /// <summary>The storage meter's <c>sqlite.writer.{name}</c> as exported (an observable counter, read on demand).</summary>
    private static long WriterCounter(string name)
    {
        long value = -1;
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Hubbub.Storage" && instrument.Name == "sqlite.writer." + name)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, measurement, _, _) => value = measurement);
        listener.Start();
        listener.RecordObservableInstruments();
        return value;
    }

    [Fact]
    public async Task A_statement_run_again_inside_its_own_row_callback_on_the_writer_gets_a_compiled_statement_of_its_own()
    {
        var node = Node(Widgets);
        await node.Migrations.ApplyAsync();
        var insert = new Statement("INSERT INTO widgets (name) VALUES (@name)");
        var names = new Statement("SELECT name FROM widgets WHERE name LIKE @prefix ORDER BY name");
        var seen = await node.Database.InTransactionAsync(async tx =>
        {
            await tx.ExecuteAsync(insert.Values().Add("a1"));
            await tx.ExecuteAsync(insert.Values().Add("a2"));
            var seen = new List<string>();
            await tx.QueryAsync(names.Values().Add("a%"), (tx, seen, names), static (row, s) =>
            {
                var name = row.GetString(0);
                // The outer statement is mid-rows: the inner run must neither reset it nor be refused.
                var inner = new List<string>();
                s.tx.QueryAsync(s.names.Values().Add(name), inner, static (r, list) => list.Add(r.GetString(0))).AsTask().GetAwaiter().GetResult();
                s.seen.Add(name + ":" + string.Join(",", inner) + ":" + row.GetString(0));
            });
            return seen;
        });
        Assert.Equal(["a1:a1:a1", "a2:a2:a2"], seen);
    }
}
