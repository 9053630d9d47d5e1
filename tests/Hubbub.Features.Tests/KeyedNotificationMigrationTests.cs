using System.Globalization;
using Hubbub.Features.Kit.Notifications;
using Hubbub.Features.Tests.Infrastructure;
using Hubbub.Storage;
using Hubbub.Storage.Migrations;
using Microsoft.Extensions.DependencyInjection;

namespace Hubbub.Features.Tests;

/// <summary>
/// Kit migration 3 on SQLite: an inbox kept before it (keyed unread rows in <c>kit_notifications</c>) comes over with
/// its ids, the newest unread of each user and key into <c>kit_notifications_keyed</c>, and the ids that follow come after
/// the largest kept, also after a rolled-back transaction took some.
/// </summary>
public sealed class KeyedNotificationMigrationSqliteTests(SqliteKit fixture) : IClassFixture<SqliteKit>
{
    private ChatServer Chat => fixture.Chat;

    private IDatabase Database => Chat.Server.Services.GetRequiredService<IDatabase>();

    [Fact]
    public async Task The_migration_moves_the_newest_unread_of_each_key_with_its_id_and_the_next_ids_follow_the_largest()
    {
        var (ada, bob) = (Users.New("ada"), Users.New("bob"));
        // The tables as kit migration 2 left them, the journal without 3; ids with gaps, the largest a read one.
        var top = await Database.InTransactionAsync(async tx =>
        {
            await tx.ExecuteAsync("""
                DROP TABLE kit_notifications_keyed;
                DROP TABLE kit_sequences;
                CREATE INDEX kit_notifications_unread_replaceable ON kit_notifications (user_id, replaces) WHERE replaces IS NOT NULL AND is_read = 0;
                DELETE FROM hubbub_migrations WHERE feature = 'kit' AND version = 3;
                """);
            var top = await tx.ExecuteScalarAsync<long>("SELECT COALESCE(MAX(id), 0) FROM kit_notifications") + 1000;
            await tx.ExecuteAsync("""
                INSERT INTO kit_notifications (id, user_id, type, data, created_ms, is_read, replaces) VALUES
                    (@top - 40, @ada, 'overtaken', '"old"', 1, 0, 'overtaken:xp'),
                    (@top - 30, @ada, 'overtaken', '"a"', 2, 0, 'overtaken:xp'),
                    (@top - 25, @bob, 'overtaken', '"read"', 3, 1, 'overtaken:xp'),
                    (@top - 20, @bob, 'overtaken', '"b"', 4, 0, 'overtaken:xp'),
                    (@top - 10, @ada, 'other', '"plain"', 5, 0, NULL),
                    (@top, @bob, 'other', '"last"', 6, 1, NULL)
                """, new { top, ada, bob });
            return top;
        });

        var report = await Chat.Server.Services.GetRequiredService<MigrationRunner>().ApplyAsync();
        Assert.Contains(report.Applied, a => a.Migration.Feature == "kit" && a.Migration.Version == 3);

        Assert.Equal([(top - 30, "\"a\""), (top - 20, "\"b\"")], await Database.ReadAsync(async tx => (await tx.QueryAsync<(long, string)>(
            "SELECT id, data FROM kit_notifications_keyed WHERE user_id IN (@ada, @bob) ORDER BY id", new { ada, bob })).ToList()));
        Assert.Equal([top - 25, top - 10, top], await Database.ReadAsync(async tx => (await tx.QueryAsync<long>(
            "SELECT id FROM kit_notifications WHERE user_id IN (@ada, @bob) ORDER BY id", new { ada, bob })).ToList())); // "old" was replaced

        // The next ids follow the largest kept; ada's unread one of the key is replaced in place.
        var kept = await InsertAsync(new NewNotification(ada, "overtaken", "\"a2\"", "overtaken:xp"), new NewNotification(bob, "other", "\"p\""));
        Assert.Equal([top + 1, top + 2], kept.Views.Select(v => long.Parse(v.Id, CultureInfo.InvariantCulture)));
        Assert.Equal(1, kept.Replaced);
        using var api = Chat.Api(ada);
        var inbox = (await api.GetAsync("/api/notifications")).Body.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(["a2", "plain"], inbox.Select(i => i.GetProperty("data").GetString()));
    }

    [Fact]
    public async Task Ids_taken_by_a_rolled_back_transaction_are_given_again_and_never_twice_to_kept_rows()
    {
        var ada = Users.New("ada");
        var first = await InsertAsync(new NewNotification(ada, "test", "1"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => Database.InTransactionAsync<int>(async tx =>
        {
            await NotificationStore.InsertEachAsync(tx, [new NewNotification(ada, "test", "2"), new NewNotification(ada, "test", "3", "k")], 0, 100,
                CancellationToken.None);
            throw new InvalidOperationException("rolled back");
        }));
        var next = await InsertAsync(new NewNotification(ada, "test", "4", "k"), new NewNotification(ada, "test", "5"));
        var ids = first.Views.Concat(next.Views).Select(v => long.Parse(v.Id, CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(ids.Order(), ids);
        Assert.Equal(3, ids.Distinct().Count());
        Assert.Equal(["1", "4", "5"], await Database.ReadAsync(async tx =>
            (await tx.QueryAsync<string>($"SELECT data FROM {NotificationTests.Inbox} WHERE user_id = @ada ORDER BY id", new { ada })).ToList()));
    }

    private Task<KeptNotifications> InsertAsync(params NewNotification[] items) =>
        Database.InTransactionAsync(tx => NotificationStore.InsertEachAsync(tx, items, 0, keep: 100, CancellationToken.None));
}
