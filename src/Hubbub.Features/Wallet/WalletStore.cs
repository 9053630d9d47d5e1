using System.Globalization;
using System.Text;
using Dapper;
using Hubbub.Storage;

namespace Hubbub.Features.Wallet;

/// <summary>The wallet SQL, portable between SQLite and PostgreSQL; every method runs in the caller's transaction.</summary>
internal static class WalletStore
{
    private const string AccountColumns = "user_id AS UserId, currency AS Currency, balance AS Balance, held AS Held";

    private const string LedgerColumns =
        "id AS Id, currency AS Currency, kind AS Kind, amount AS Amount, held_change AS HeldChange, balance_after AS BalanceAfter, " +
        "held_after AS HeldAfter, ref AS Ref, counterparty AS Counterparty, created_ms AS CreatedMs";

    /// <summary>The account, created empty when missing, its row locked until the transaction ends (PostgreSQL).</summary>
    public static async Task<AccountRow> LockAccountAsync(DatabaseTransaction tx, string user, string currency, CancellationToken ct)
    {
        await tx.ExecuteAsync(
            "INSERT INTO wallet_accounts (user_id, currency) VALUES (@user, @currency) ON CONFLICT (user_id, currency) DO NOTHING",
            new { user, currency }, ct);
        return await tx.QuerySingleAsync<AccountRow>(
            $"SELECT {AccountColumns} FROM wallet_accounts WHERE user_id = @user AND currency = @currency{tx.ForUpdate}", new { user, currency }, ct);
    }

    public static Task SetAccountAsync(DatabaseTransaction tx, string user, string currency, long balance, long held, CancellationToken ct) =>
        tx.ExecuteAsync("UPDATE wallet_accounts SET balance = @balance, held = @held WHERE user_id = @user AND currency = @currency",
            new { user, currency, balance, held }, ct);

    public static Task<long> AppendAsync(DatabaseTransaction tx, string user, string currency, string kind, long amount, long heldChange,
        AccountRow after, string? reference, string? counterparty, long now, CancellationToken ct) =>
        tx.QuerySingleAsync<long>(
            """
            INSERT INTO wallet_ledger (user_id, currency, kind, amount, held_change, balance_after, held_after, ref, counterparty, created_ms)
            VALUES (@user, @currency, @kind, @amount, @heldChange, @balance, @held, @reference, @counterparty, @now) RETURNING id
            """, new { user, currency, kind, amount, heldChange, balance = after.Balance, held = after.Held, reference, counterparty, now }, ct);

    public static Task<HoldRow?> FindHoldAsync(DatabaseTransaction tx, string user, string currency, string reference, CancellationToken ct) =>
        tx.QuerySingleOrDefaultAsync<HoldRow>(
            "SELECT user_id AS UserId, currency AS Currency, ref AS Ref, amount AS Amount FROM wallet_holds WHERE user_id = @user AND currency = @currency AND ref = @reference",
            new { user, currency, reference }, ct);

    public static Task SetHoldAsync(DatabaseTransaction tx, string user, string currency, string reference, long amount, long now, CancellationToken ct) =>
        tx.ExecuteAsync(
            """
            INSERT INTO wallet_holds (user_id, currency, ref, amount, created_ms) VALUES (@user, @currency, @reference, @amount, @now)
            ON CONFLICT (user_id, currency, ref) DO UPDATE SET amount = excluded.amount
            """, new { user, currency, reference, amount, now }, ct);

    public static Task DeleteHoldAsync(DatabaseTransaction tx, string user, string currency, string reference, CancellationToken ct) =>
        tx.ExecuteAsync("DELETE FROM wallet_holds WHERE user_id = @user AND currency = @currency AND ref = @reference",
            new { user, currency, reference }, ct);

    /// <summary>
    /// Every account of <paramref name="users"/> (all currencies: what <c>wallet_updated</c> shows), each with what its
    /// user holds for <paramref name="reference"/> on the row of <paramref name="currency"/>, in one statement; on
    /// PostgreSQL the rows are locked until the transaction ends, in (user, currency) order, the wallet's global order.
    /// </summary>
    public static async Task<List<AccountHoldRow>> LockWithHoldsAsync(DatabaseTransaction tx, IReadOnlyList<string> users, string currency, string reference,
        CancellationToken ct) =>
        (await tx.QueryAsync<AccountHoldRow>(
            $"""
            SELECT a.user_id AS UserId, a.currency AS Currency, a.balance AS Balance, a.held AS Held, h.amount AS Hold
            FROM wallet_accounts a
            LEFT JOIN wallet_holds h ON h.user_id = a.user_id AND h.currency = a.currency AND h.currency = @currency AND h.ref = @reference
            WHERE a.user_id IN {UserList(users, out var parameters, new { currency, reference })}
            ORDER BY a.user_id, a.currency{(tx.Provider == DatabaseProvider.Postgres ? " FOR UPDATE OF a" : "")}
            """, parameters, ct)).ToList();

    /// <summary>
    /// <c>(@p0, @p1, …)</c> for <paramref name="users"/>, their parameters added to <paramref name="template"/>'s: the same
    /// SQL on both engines (Dapper would pass a list to Npgsql as one array, which <c>IN</c> does not take).
    /// </summary>
    private static string UserList(IReadOnlyList<string> users, out DynamicParameters parameters, object template)
    {
        parameters = new DynamicParameters(template);
        var list = new StringBuilder("(");
        for (var i = 0; i < users.Count; i++)
        {
            var name = "p" + i.ToString(CultureInfo.InvariantCulture);
            list.Append(i == 0 ? "@" : ", @").Append(name);
            parameters.Add(name, users[i]);
        }
        return list.Append(')').ToString();
    }

    /// <summary>Sets the holds of several users for one reference (inserted, or their amount replaced) in one statement.</summary>
    public static Task SetHoldsAsync(DatabaseTransaction tx, string currency, string reference, IReadOnlyList<(string User, long Amount)> holds, long now,
        CancellationToken ct)
    {
        var sql = new StringBuilder("INSERT INTO wallet_holds (user_id, currency, ref, amount, created_ms) VALUES ");
        var parameters = new DynamicParameters(new { currency, reference, now });
        for (var i = 0; i < holds.Count; i++)
        {
            var n = i.ToString(CultureInfo.InvariantCulture);
            sql.Append(i == 0 ? "" : ", ").Append("(@u").Append(n).Append(", @currency, @reference, @a").Append(n).Append(", @now)");
            parameters.Add("u" + n, holds[i].User);
            parameters.Add("a" + n, holds[i].Amount);
        }
        sql.Append(" ON CONFLICT (user_id, currency, ref) DO UPDATE SET amount = excluded.amount");
        return tx.ExecuteAsync(sql.ToString(), parameters, ct);
    }

    /// <summary>Deletes the holds of several users for one reference in one statement.</summary>
    public static Task DeleteHoldsAsync(DatabaseTransaction tx, IReadOnlyList<string> users, string currency, string reference, CancellationToken ct) =>
        tx.ExecuteAsync($"DELETE FROM wallet_holds WHERE currency = @currency AND ref = @reference AND user_id IN {UserList(users, out var parameters, new { currency, reference })}",
            parameters, ct);

    /// <summary>Sets the held totals of several accounts of one currency (their balances unchanged) in one statement.</summary>
    public static Task SetHeldAsync(DatabaseTransaction tx, string currency, IReadOnlyList<(string User, long Held)> accounts, CancellationToken ct)
    {
        var cases = new StringBuilder();
        var users = UserList(accounts.Select(a => a.User).ToList(), out var parameters, new { currency });
        for (var i = 0; i < accounts.Count; i++)
        {
            var n = i.ToString(CultureInfo.InvariantCulture);
            cases.Append(" WHEN @p").Append(n).Append(" THEN @h").Append(n);
            parameters.Add("h" + n, accounts[i].Held);
        }
        return tx.ExecuteAsync($"UPDATE wallet_accounts SET held = CASE user_id{cases} END WHERE currency = @currency AND user_id IN {users}", parameters, ct);
    }

    /// <summary>Appends several ledger entries of one currency and reference, in the given order, in one statement.</summary>
    public static Task AppendManyAsync(DatabaseTransaction tx, string currency, string reference, IReadOnlyList<LedgerEntryRow> entries, long now,
        CancellationToken ct)
    {
        var sql = new StringBuilder(
            "INSERT INTO wallet_ledger (user_id, currency, kind, amount, held_change, balance_after, held_after, ref, counterparty, created_ms) VALUES ");
        var parameters = new DynamicParameters(new { currency, reference, now });
        for (var i = 0; i < entries.Count; i++)
        {
            var n = i.ToString(CultureInfo.InvariantCulture);
            sql.Append(i == 0 ? "" : ", ")
                .Append("(@u").Append(n).Append(", @currency, @k").Append(n).Append(", @m").Append(n).Append(", @c").Append(n)
                .Append(", @b").Append(n).Append(", @h").Append(n).Append(", @reference, NULL, @now)");
            var e = entries[i];
            parameters.Add("u" + n, e.User);
            parameters.Add("k" + n, e.Kind);
            parameters.Add("m" + n, e.Amount);
            parameters.Add("c" + n, e.HeldChange);
            parameters.Add("b" + n, e.BalanceAfter);
            parameters.Add("h" + n, e.HeldAfter);
        }
        return tx.ExecuteAsync(sql.ToString(), parameters, ct);
    }

    public static async Task<List<HoldRow>> HoldsForAsync(DatabaseTransaction tx, string reference, CancellationToken ct) =>
        (await tx.QueryAsync<HoldRow>(
            "SELECT user_id AS UserId, currency AS Currency, ref AS Ref, amount AS Amount FROM wallet_holds WHERE ref = @reference ORDER BY user_id, currency",
            new { reference }, ct)).ToList();

    public static async Task<List<AccountRow>> AccountsOfAsync(DatabaseTransaction tx, string user, CancellationToken ct) =>
        (await tx.QueryAsync<AccountRow>($"SELECT {AccountColumns} FROM wallet_accounts WHERE user_id = @user ORDER BY currency", new { user }, ct)).ToList();

    /// <summary>A user's entries newest first, older than <paramref name="before"/> when given.</summary>
    public static async Task<List<LedgerRow>> LedgerAsync(DatabaseTransaction tx, string user, string? currency, long? before, int limit, CancellationToken ct) =>
        (await tx.QueryAsync<LedgerRow>(
            $"""
            SELECT {LedgerColumns} FROM wallet_ledger
            WHERE user_id = @user AND (@before IS NULL OR id < @before) AND (@currency IS NULL OR currency = @currency)
            ORDER BY id DESC LIMIT @limit
            """, new { user, currency, before, limit }, ct)).ToList();

    /// <summary>Every account beside the sums of its ledger and holds (a whole scan: for the consistency check).</summary>
    public static async Task<List<CheckRow>> CheckAsync(DatabaseTransaction tx, CancellationToken ct) =>
        (await tx.QueryAsync<CheckRow>(
            """
            SELECT a.user_id AS UserId, a.currency AS Currency, a.balance AS Balance, a.held AS Held,
                   COALESCE(l.balance, 0) AS LedgerBalance, COALESCE(l.held, 0) AS LedgerHeld,
                   (SELECT e.balance_after FROM wallet_ledger e WHERE e.user_id = a.user_id AND e.currency = a.currency
                    ORDER BY e.id DESC LIMIT 1) AS LastBalanceAfter,
                   COALESCE(h.amount, 0) AS Holds
            FROM wallet_accounts a
            LEFT JOIN (SELECT user_id, currency, CAST(SUM(amount) AS BIGINT) AS balance, CAST(SUM(held_change) AS BIGINT) AS held FROM wallet_ledger GROUP BY user_id, currency) l
                ON l.user_id = a.user_id AND l.currency = a.currency
            LEFT JOIN (SELECT user_id, currency, CAST(SUM(amount) AS BIGINT) AS amount FROM wallet_holds GROUP BY user_id, currency) h
                ON h.user_id = a.user_id AND h.currency = a.currency
            ORDER BY a.user_id, a.currency
            """, cancellationToken: ct)).ToList();

    /// <summary>Ledger entries of accounts that do not exist (should be none), and all entries.</summary>
    public static Task<long> CountLedgerAsync(DatabaseTransaction tx, CancellationToken ct) =>
        tx.QuerySingleAsync<long>("SELECT COUNT(*) FROM wallet_ledger", cancellationToken: ct);
}
