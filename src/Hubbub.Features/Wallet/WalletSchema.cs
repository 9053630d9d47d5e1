using Hubbub.Storage.Migrations;

namespace Hubbub.Features.Wallet;

/// <summary>
/// The wallet tables. <c>wallet_accounts</c> holds each user's balance and held total per currency, CHECKed never
/// negative and never holding more than the balance; <c>wallet_holds</c> the holds by what they are for (<c>ref</c>);
/// <c>wallet_ledger</c> every change, append-only (a trigger refuses UPDATE and DELETE), so a balance is always the
/// sum of its ledger entries. Times are Unix milliseconds.
/// </summary>
internal static class WalletSchema
{
    public static void Declare(MigrationSet m) => m
        .Add(1, "accounts, holds and the append-only ledger",
            sqlite: Tables("INTEGER PRIMARY KEY") + """
                CREATE TRIGGER wallet_ledger_no_update BEFORE UPDATE ON wallet_ledger
                BEGIN SELECT RAISE(ABORT, 'the wallet ledger is append-only'); END;
                CREATE TRIGGER wallet_ledger_no_delete BEFORE DELETE ON wallet_ledger
                BEGIN SELECT RAISE(ABORT, 'the wallet ledger is append-only'); END;
                """,
            postgres: Tables("BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY") + """
                CREATE FUNCTION wallet_ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN RAISE EXCEPTION 'the wallet ledger is append-only'; END; $$;
                CREATE TRIGGER wallet_ledger_append_only BEFORE UPDATE OR DELETE ON wallet_ledger
                FOR EACH ROW EXECUTE FUNCTION wallet_ledger_append_only();
                """);

    private static string Tables(string identity) => $"""
        CREATE TABLE wallet_accounts (
            user_id  TEXT   NOT NULL,
            currency TEXT   NOT NULL,
            balance  BIGINT NOT NULL DEFAULT 0,
            held     BIGINT NOT NULL DEFAULT 0,
            PRIMARY KEY (user_id, currency),
            CONSTRAINT wallet_balance_not_negative CHECK (balance >= 0),
            CONSTRAINT wallet_held_within_balance CHECK (held >= 0 AND held <= balance));
        CREATE TABLE wallet_holds (
            user_id    TEXT   NOT NULL,
            currency   TEXT   NOT NULL,
            ref        TEXT   NOT NULL,
            amount     BIGINT NOT NULL,
            created_ms BIGINT NOT NULL,
            PRIMARY KEY (user_id, currency, ref),
            CONSTRAINT wallet_hold_positive CHECK (amount > 0));
        CREATE INDEX wallet_holds_by_ref ON wallet_holds (ref);
        CREATE TABLE wallet_ledger (
            id            {identity},
            user_id       TEXT   NOT NULL,
            currency      TEXT   NOT NULL,
            kind          TEXT   NOT NULL,
            amount        BIGINT NOT NULL,
            held_change   BIGINT NOT NULL,
            balance_after BIGINT NOT NULL,
            held_after    BIGINT NOT NULL,
            ref           TEXT   NULL,
            counterparty  TEXT   NULL,
            created_ms    BIGINT NOT NULL,
            CONSTRAINT wallet_ledger_kind CHECK (kind IN ('grant', 'hold', 'release', 'capture', 'transfer', 'fee')),
            CONSTRAINT wallet_ledger_not_negative CHECK (balance_after >= 0 AND held_after >= 0 AND held_after <= balance_after));
        CREATE INDEX wallet_ledger_by_user ON wallet_ledger (user_id, id);

        """;
}
