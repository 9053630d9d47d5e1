using Hubbub.Storage.Migrations;

namespace Hubbub.Features.Kit.Webhooks;

/// <summary>
/// Webhook tables: endpoints, the event types each subscribes to (one row per type or pattern, so recording an event is
/// one indexed read), and deliveries (one per endpoint and event, unique: an event never goes to one endpoint twice
/// except as a retry of the same delivery). Times are Unix milliseconds.
/// </summary>
internal static class WebhooksSchema
{
    public const string Feature = "webhooks";

    public static void Declare(MigrationSet m) => m
        .Add(1, "webhook endpoints, subscriptions and deliveries",
            sqlite: Tables("INTEGER PRIMARY KEY"),
            postgres: Tables("BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"));

    private static string Tables(string identity) => $"""
        CREATE TABLE webhook_endpoints (
            id          {identity},
            url         TEXT   NOT NULL,
            secret      TEXT   NOT NULL,
            description TEXT   NULL,
            created_ms  BIGINT NOT NULL,
            updated_ms  BIGINT NOT NULL);
        CREATE TABLE webhook_subscriptions (
            event_type  TEXT   NOT NULL,
            endpoint_id BIGINT NOT NULL,
            PRIMARY KEY (event_type, endpoint_id));
        CREATE INDEX webhook_subscriptions_by_endpoint ON webhook_subscriptions (endpoint_id);
        CREATE TABLE webhook_deliveries (
            id              {identity},
            endpoint_id     BIGINT  NOT NULL,
            event_id        BIGINT  NOT NULL,
            event_type      TEXT    NOT NULL,
            body            TEXT    NOT NULL,
            state           TEXT    NOT NULL,
            attempts        INTEGER NOT NULL DEFAULT 0,
            due_ms          BIGINT  NOT NULL,
            claim           TEXT    NULL,
            last_status     INTEGER NULL,
            last_error      TEXT    NULL,
            created_ms      BIGINT  NOT NULL,
            last_attempt_ms BIGINT  NULL,
            delivered_ms    BIGINT  NULL,
            UNIQUE (endpoint_id, event_id));
        CREATE INDEX webhook_deliveries_due ON webhook_deliveries (state, due_ms);
        CREATE INDEX webhook_deliveries_by_endpoint ON webhook_deliveries (endpoint_id, state, id);
        """;
}
