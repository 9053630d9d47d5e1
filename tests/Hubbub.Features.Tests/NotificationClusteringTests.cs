using System.Globalization;
using System.Net;
using Hubbub.Features.Kit.Notifications;
using Hubbub.Features.Tests.Infrastructure;
using Hubbub.Storage;
using Hubbub.Storage.Migrations;
using Microsoft.Extensions.DependencyInjection;

namespace Hubbub.Features.Tests;

/// <summary>
/// SQLite keeps a user's notifications together (kit migration 3: clustered by (user_id, id), ids from
/// <c>kit_sequences</c>): the migration carries an existing inbox over with its ids, and the ids that follow stay unique
/// and ascending also after a rolled-back transaction took some.
/// </summary>
public sealed class NotificationClusteringSqliteTests(SqliteKit fixture) : IClassFixture<SqliteKit>
{
    private ChatServer Chat => fixture.Chat;

    private IDatabase Database => Chat.Server.Services.GetRequiredService<IDatabase>();

    [Fact]
    public async Task The_migration_carries_every_notification_over_with_its_id_and_the_next_ids_follow_the_largest()
    {
        var (ada, bob) = (Users.New("ada"), Users.New("bob"));
        // The table as kit migration 2 left it (a rowid table, its by-user and partial indexes), the journal without 3.
        // Ids with gaps, the largest a read one: the next id must follow it, not the largest unread.
        var top = await Database.InTransactionAsync(async tx =>
        {
            await tx.ExecuteAsync("""
                CREATE TABLE kit_notifications_v2 (
                    id INTEGER PRIMARY KEY, user_id TEXT NOT NULL, type TEXT NOT NULL, data TEXT NOT NULL,
                    created_ms BIGINT NOT NULL, is_read INTEGER NOT NULL DEFAULT 0, replaces TEXT NULL);
                INSERT INTO kit_notifications_v2 (id, user_id, type, data, created_ms, is_read, replaces)
                    SELECT id, user_id, type, data, created_ms, is_read, replaces FROM kit_notifications;
                DROP TABLE kit_notifications;
                DROP TABLE kit_sequences;
                ALTER TABLE kit_notifications_v2 RENAME TO kit_notifications;
                CREATE INDEX kit_notifications_by_user ON kit_notifications (user_id, id);
                CREATE INDEX kit_notifications_unread_replaceable ON kit_notifications (user_id, replaces) WHERE replaces IS NOT NULL AND is_read = 0;
                DELETE FROM hubbub_migrations WHERE feature = 'kit' AND version = 3;
                """);
            var top = await tx.ExecuteScalarAsync<long>("SELECT COALESCE(MAX(id), 0) FROM kit_notifications") + 1000;
            await tx.ExecuteAsync("""
                INSERT INTO kit_notifications (id, user_id, type, data, created_ms, is_read, replaces) VALUES
                    (@top - 30, @ada, 'overtaken', '{"n":1}', 1, 0, 'overtaken:xp'),
                    (@top - 20, @bob, 'overtaken', '{"n":2}', 2, 0, 'overtaken:xp'),
                    (@top - 10, @ada, 'other', '{"n":"3 \"é\""}', 3, 0, NULL),
                    (@top, @bob, 'other', '{"n":4}', 4, 1, NULL)
                """, new { top, ada, bob });
            return top;
        });
        var before = await RowsAsync(ada, bob);

        var report = await Chat.Server.Services.GetRequiredService<MigrationRunner>().ApplyAsync();
        Assert.Contains(report.Applied, a => a.Migration.Feature == "kit" && a.Migration.Version == 3);

        Assert.Equal(before, await RowsAsync(ada, bob));
        Assert.Contains("WITHOUT ROWID", await Database.ReadAsync(tx =>
            tx.ExecuteScalarAsync<string>("SELECT sql FROM sqlite_master WHERE name = 'kit_notifications'")));

        // The next ids follow the largest carried over; ada's unread overtaken of the board is replaced, her other kept.
        var kept = await InsertAsync(new NewNotification(ada, "overtaken", """{"n":5}""", "overtaken:xp"), new NewNotification(bob, "other", """{"n":6}"""));
        Assert.Equal([top + 1, top + 2], kept.Views.Select(v => long.Parse(v.Id, CultureInfo.InvariantCulture)));
        Assert.Equal(1, kept.Replaced);
        using var api = Chat.Api(ada);
        var inbox = (await api.GetAsync("/api/notifications")).Body.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal([(top + 1).ToString(CultureInfo.InvariantCulture), (top - 10).ToString(CultureInfo.InvariantCulture)],
            inbox.Select(i => i.GetProperty("id").GetString())); // newest first
        Assert.Equal("3 \"é\"", inbox[1].GetProperty("data").GetProperty("n").GetString());
        var read = await api.PostAsync("/api/notifications/read", new { up_to = (top - 10).ToString(CultureInfo.InvariantCulture) });
        Assert.Equal(HttpStatusCode.OK, read.Status);
        Assert.Equal(1, read.Body.GetProperty("unread_count").GetInt64());
    }

    [Fact]
    public async Task Ids_taken_by_a_rolled_back_transaction_are_given_again_and_never_twice_to_kept_rows()
    {
        var ada = Users.New("ada");
        var first = await InsertAsync(new NewNotification(ada, "test", "1"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => Database.InTransactionAsync<int>(async tx =>
        {
            await NotificationStore.InsertEachAsync(tx, [new NewNotification(ada, "test", "2"), new NewNotification(ada, "test", "3")], 0, 100,
                CancellationToken.None);
            throw new InvalidOperationException("rolled back");
        }));
        var next = await InsertAsync(new NewNotification(ada, "test", "4"), new NewNotification(ada, "test", "5"));
        var ids = first.Views.Concat(next.Views).Select(v => long.Parse(v.Id, CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(ids.Order(), ids);
        Assert.Equal(3, ids.Distinct().Count());
        Assert.Equal(["1", "4", "5"], await Database.ReadAsync(async tx =>
            (await tx.QueryAsync<string>("SELECT data FROM kit_notifications WHERE user_id = @ada ORDER BY id", new { ada })).ToList()));
    }

    private Task<KeptNotifications> InsertAsync(params NewNotification[] items) =>
        Database.InTransactionAsync(tx => NotificationStore.InsertEachAsync(tx, items, 0, keep: 100, CancellationToken.None));

    private Task<List<(long, string, string, string, long, long, string?)>> RowsAsync(string ada, string bob) =>
        Database.ReadAsync(async tx => (await tx.QueryAsync<(long, string, string, string, long, long, string?)>(
            "SELECT id, user_id, type, data, created_ms, is_read, replaces FROM kit_notifications WHERE user_id IN (@ada, @bob) ORDER BY id",
            new { ada, bob })).ToList());
}
