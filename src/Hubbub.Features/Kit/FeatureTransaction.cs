using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Hubbub.Features.Kit.Diagnostics;
using Hubbub.Features.Kit.DomainEvents;
using Hubbub.Features.Kit.Notifications;
using Hubbub.Features.Kit.Outbox;
using Hubbub.Features.Kit.Webhooks;
using Hubbub.Storage;

namespace Hubbub.Features.Kit;

/// <summary>
/// A feature's open transaction (<see cref="FeatureDatabase.WriteAsync{T}"/>): its own SQL through <see cref="Db"/>, and
/// everything that must follow the change only if it commits — publications, ends of subscriptions, domain events,
/// notifications, jobs — written into the same transaction. Nothing leaves before the commit; nothing is lost after it.
/// </summary>
public sealed class FeatureTransaction
{
    private readonly FeatureDatabase _kit;
    private readonly string _claim;
    private readonly List<OutboxRow> _pending = []; // publications made and not yet written: one kit_outbox row before the commit
    private readonly List<OutboxRow> _rows = []; // the kit_outbox rows written, in id order: what is published after the commit
    private Dictionary<string, JsonElement>? _outcomes;

    internal FeatureTransaction(DatabaseTransaction db, FeatureDatabase kit, long nowMs)
    {
        Db = db;
        _kit = kit;
        NowMs = nowMs;
        _claim = Guid.NewGuid().ToString("N");
    }

    /// <summary>The database transaction, for the feature's own SQL.</summary>
    public DatabaseTransaction Db { get; }

    /// <summary>The transaction's time (Unix milliseconds), read once from the kit's <see cref="TimeProvider"/>.</summary>
    public long NowMs { get; }

    /// <summary>The <c>kit_outbox</c> rows this transaction wrote, in order (a batch row holds several publications).</summary>
    internal IReadOnlyList<OutboxRow> Outbox => _rows;

    internal bool RaisedEvents { get; private set; }

    internal bool ScheduledJobs { get; private set; }

    internal bool RecordedWebhooks { get; private set; }

    internal List<Func<Task>>? Committed { get; private set; }

    /// <summary>
    /// Runs <paramref name="action"/> on this node after the commit (never after a rollback): for in-process state that
    /// must follow committed data only, such as a live view re-read from the database. Not durable: a node that dies
    /// right after the commit does not run it, so it must not carry anything the outbox should.
    /// </summary>
    public void OnCommitted(Action action) => OnCommitted(() =>
    {
        action();
        return Task.CompletedTask;
    });

    /// <summary>
    /// Like <see cref="OnCommitted(Action)"/>, awaited before the write returns to its caller (started beside the
    /// outbox's publications, not ordered with them): for state outside the database that a caller reads right after,
    /// such as a ranked index in Redis.
    /// </summary>
    public void OnCommitted(Func<Task> action) => (Committed ??= []).Add(action);

    /// <summary>The feature's SQL runs on the same transaction.</summary>
    public static implicit operator DatabaseTransaction(FeatureTransaction transaction) => transaction.Db;

    /// <summary>The database transaction (the implicit conversion's named form).</summary>
    public DatabaseTransaction ToDatabaseTransaction() => Db;

    /// <summary>Publishes <paramref name="data"/> as <paramref name="eventType"/> on <paramref name="channel"/> after the commit.</summary>
    public Task PublishAsync<T>(string channel, string eventType, T data, JsonTypeInfo<T> info, CancellationToken cancellationToken = default) =>
        AddAsync(new OutboxRow { Channel = channel, EventType = eventType, Data = JsonSerializer.Serialize(data, info) }, cancellationToken);

    /// <summary>Publishes the same event on <c>user:{id}</c> of each user, after the commit.</summary>
    public async Task PublishToUsersAsync<T>(IEnumerable<string> users, string eventType, T data, JsonTypeInfo<T> info,
        CancellationToken cancellationToken = default)
    {
        var json = JsonSerializer.Serialize(data, info);
        foreach (var user in users)
        {
            await AddAsync(new OutboxRow { Channel = UserChannel(user), EventType = eventType, Data = json }, cancellationToken);
        }
    }

    /// <summary>
    /// Publishes the same event on each of <paramref name="channels"/> after the commit, written to the outbox in one
    /// statement (a fan-out to many channels costs one round trip, not one per channel); a channel named twice gets it once.
    /// </summary>
    public async Task PublishToChannelsAsync<T>(IEnumerable<string> channels, string eventType, T data, JsonTypeInfo<T> info,
        CancellationToken cancellationToken = default)
    {
        var distinct = channels.Distinct(StringComparer.Ordinal).ToList();
        if (distinct.Count == 0)
        {
            return;
        }
        var json = JsonSerializer.Serialize(data, info);
        await WriteOutboxAsync(cancellationToken); // the rows made before these first, so ids keep the order they were made in
        var ids = await OutboxStore.InsertManyAsync(Db, distinct, eventType, json, _claim, NowMs, NowMs + _kit.Options.LeaseMs, cancellationToken);
        foreach (var channel in distinct.OrderBy(c => ids[c]))
        {
            _rows.Add(new OutboxRow { Id = ids[channel], Channel = channel, EventType = eventType, Data = json, FanOut = true });
        }
    }

    /// <summary>Ends <paramref name="user"/>'s subscriptions to <paramref name="channel"/> on every node, after the commit.</summary>
    public Task EndSubscriptionsAsync(string user, string channel, string reason, CancellationToken cancellationToken = default) =>
        AddAsync(new OutboxRow { Kind = OutboxRow.Unsubscribe, Channel = channel, TargetUser = user, EventType = reason }, cancellationToken);

    /// <summary>
    /// Raises a domain event: stored with this transaction, with one pending handling per registered handler; the
    /// handlers run after the commit, each in a transaction of its own, each effect once.
    /// </summary>
    public async Task<long> RaiseAsync<T>(DomainEventKind<T> kind, T data, CancellationToken cancellationToken = default) =>
        (await InsertEventAsync(kind, data, _kit.Routes.HandlersOf(kind.Type), cancellationToken)).Id;

    /// <summary>
    /// Raises a domain event like <see cref="RaiseAsync{T}(DomainEventKind{T}, T, CancellationToken)"/>, but with no
    /// handling for the handlers named in <paramref name="skipHandlers"/>: for a feature that already did, in this very
    /// transaction, what its own handler would do with the event (gamification raising an app's event it has just
    /// processed), so every other handler sees the event once and the skipped one never sees it.
    /// </summary>
    public async Task<long> RaiseAsync<T>(DomainEventKind<T> kind, T data, IReadOnlyCollection<string> skipHandlers,
        CancellationToken cancellationToken = default) =>
        (await InsertEventAsync(kind, data, _kit.Routes.HandlersOf(kind.Type).Where(h => !skipHandlers.Contains(h, StringComparer.Ordinal)).ToList(),
            cancellationToken)).Id;

    /// <summary>
    /// Raises a domain event and runs its handlers (but those in <paramref name="skipHandlers"/>) at once, in this
    /// transaction, instead of after the commit: their effects commit (or roll back) with the raise, and what they report
    /// with <see cref="ReportOutcome{T}"/> comes back here, so the raiser can answer with it (gamification's
    /// <c>POST /api/events</c> answers with the activity the social feed made of the event). Each handler runs inside a
    /// savepoint: one that fails is rolled back alone (its SQL, publications and outcomes) and left pending, to run again
    /// after the commit as usual; the other handlers and the raiser's work stay. Each effect still happens once.
    /// <para>
    /// A handler that declares which types it has work for (<see cref="AllDomainEventsHandlerRegistration.Takes"/>) is
    /// asked first and skipped, savepoint and all, for a type it has none for. When no handler takes the event, it is
    /// stored only if a webhook subscribes to its type (as <see cref="AnnounceAsync{T}"/>: for its id and deliveries);
    /// otherwise nothing is written and the answer's <see cref="HandledEvent.Id"/> is null.
    /// </para>
    /// </summary>
    public async Task<HandledEvent> RaiseAndHandleAsync<T>(DomainEventKind<T> kind, T data, IReadOnlyCollection<string> skipHandlers,
        CancellationToken cancellationToken = default)
    {
        var handlers = new List<string>();
        foreach (var handler in _kit.Routes.HandlersOf(kind.Type))
        {
            if (!skipHandlers.Contains(handler, StringComparer.Ordinal) && await _kit.Handlers.TakesAsync(handler, this, kind.Type, cancellationToken))
            {
                handlers.Add(handler);
            }
        }
        if (handlers.Count == 0)
        {
            // Nothing to run: the event exists for the app's webhooks only, and only when one subscribes (one indexed read,
            // unless the caller's own statement answered it already).
            if (string.Equals(_unsubscribed, kind.Type, StringComparison.Ordinal))
            {
                return new HandledEvent(null, NoOutcomes);
            }
            return await WebhookStore.SubscribersAsync(Db, kind.Type, cancellationToken) is { Count: > 0 } subscribers
                ? new HandledEvent((await InsertEventAsync(kind, data, [], cancellationToken, subscribers)).Id, NoOutcomes)
                : new HandledEvent(null, NoOutcomes);
        }
        // Stored with no pending handling (the handlers run right here), and recorded for the app's webhooks like any raise.
        var (id, json) = await InsertEventAsync(kind, data, [], cancellationToken);
        var domainEvent = new DomainEvent(id, kind.Type, json);
        var outer = _outcomes;
        var outcomes = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        try
        {
            foreach (var handler in handlers)
            {
                // The publications made so far (the raiser's, earlier handlers') are written outside this handler's savepoint:
                // rolling the handler back must not take them along.
                await WriteOutboxAsync(cancellationToken);
                var (outbox, committed) = (_rows.Count, Committed?.Count ?? 0);
                _outcomes = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
                await Db.ExecuteAsync("SAVEPOINT kit_handler", null, cancellationToken);
                try
                {
                    await _kit.Handlers.InvokeAsync(handler, this, domainEvent, cancellationToken);
                    await Db.ExecuteAsync("RELEASE SAVEPOINT kit_handler", null, cancellationToken);
                    foreach (var (name, value) in _outcomes)
                    {
                        outcomes[name] = value;
                    }
                }
                catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
                {
                    await Db.ExecuteAsync("ROLLBACK TO SAVEPOINT kit_handler", null, cancellationToken);
                    await Db.ExecuteAsync("RELEASE SAVEPOINT kit_handler", null, cancellationToken);
                    _pending.Clear(); // made by the handler alone: the publications before it were written above
                    _rows.RemoveRange(outbox, _rows.Count - outbox);
                    Committed?.RemoveRange(committed, Committed.Count - committed);
                    Diagnostics.KitLog.InlineHandlerFailed(_kit.Logger, ex, handler, id, kind.Type);
                    await DomainEventStore.AddHandlingAsync(Db, id, handler, cancellationToken);
                    RaisedEvents = true; // wakes the dispatcher after the commit
                }
            }
        }
        finally
        {
            _outcomes = outer;
        }
        return new HandledEvent(id, outcomes);
    }

    private string? _unsubscribed;

    /// <summary>
    /// Tells the transaction that no webhook subscribes to <paramref name="type"/>, as one of the caller's own statements
    /// read earlier in it (with <see cref="Webhooks.WebhookStore.SubscribedSql"/>): a later
    /// <see cref="RaiseAndHandleAsync{T}"/> of that type which no handler takes then skips its own read, a command on
    /// SQLite's one writer per raise (gamification's <c>POST /api/events</c> asks in its lock of the user's row).
    /// </summary>
    internal void NoWebhookSubscribers(string type) => _unsubscribed = type;

    private static readonly IReadOnlyDictionary<string, JsonElement> NoOutcomes = new Dictionary<string, JsonElement>(StringComparer.Ordinal);

    /// <summary>
    /// Reports what a domain event handler made (<paramref name="name"/>: <c>activity</c>, …) to a raiser that runs it at
    /// once (<see cref="RaiseAndHandleAsync{T}"/>); when the handler runs after the commit nobody asks, and this does nothing.
    /// </summary>
    public void ReportOutcome<T>(string name, T value, JsonTypeInfo<T> info)
    {
        if (_outcomes is not null)
        {
            _outcomes[name] = JsonSerializer.SerializeToElement(value, info);
        }
    }

    /// <summary>
    /// Announces an event to the app's webhooks only (<c>message.sent</c>): no feature handles it, and when no webhook
    /// subscribes to its type it costs one indexed read and stores nothing. When one does, it is stored like a raised
    /// event (for its id) and its deliveries are recorded with this transaction. For events too frequent to send through
    /// every feature's handlers.
    /// </summary>
    public async Task AnnounceAsync<T>(DomainEventKind<T> kind, T data, CancellationToken cancellationToken = default)
    {
        if (await WebhookStore.SubscribersAsync(Db, kind.Type, cancellationToken) is { Count: > 0 } subscribers)
        {
            await InsertEventAsync(kind, data, [], cancellationToken, subscribers);
        }
    }

    /// <summary>
    /// Keeps a notification in <paramref name="user"/>'s inbox and publishes it live as <c>notification</c> on
    /// <c>user:{id}</c> after the commit; a user who is offline finds it in <c>GET /api/notifications</c>.
    /// </summary>
    public async Task<NotificationView> NotifyAsync<T>(string user, string type, T data, JsonTypeInfo<T> info, CancellationToken cancellationToken = default)
    {
        var view = await NotificationStore.InsertAsync(Db, user, type, JsonSerializer.Serialize(data, info), NowMs,
            _kit.Options.MaxNotificationsPerUser, cancellationToken);
        OnCommitted(() => KitMetrics.NotificationsKept.WithLabels(type).Inc());
        await PublishAsync(UserChannel(user), NotificationView.EventType, view, KitJsonContext.Default.NotificationView, cancellationToken);
        return view;
    }

    /// <summary>
    /// Withdraws <paramref name="user"/>'s notification <paramref name="notificationId"/> if it is still unread (true then):
    /// for notifications that group (a newer one replaces the unread one before it, instead of one per occurrence).
    /// </summary>
    public async Task<bool> WithdrawUnreadNotificationAsync(string user, string notificationId, CancellationToken cancellationToken = default) =>
        long.TryParse(notificationId, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id)
        && await NotificationStore.DeleteUnreadAsync(Db, user, id, cancellationToken) == 1;

    /// <summary>
    /// Schedules job <paramref name="kind"/>/<paramref name="key"/> at <paramref name="dueAt"/> (replacing one of the same
    /// kind and key); it runs once, on one node, also when it fell due while every node was down.
    /// </summary>
    public async Task ScheduleAsync(string kind, string key, DateTimeOffset dueAt, string? payload = null, CancellationToken cancellationToken = default)
    {
        await Scheduling.JobStore.UpsertAsync(Db, kind, key, dueAt.ToUnixTimeMilliseconds(), payload, cancellationToken);
        ScheduledJobs = true;
    }

    /// <summary>Removes a scheduled job; true when there was one.</summary>
    public Task<bool> CancelJobAsync(string kind, string key, CancellationToken cancellationToken = default) =>
        Scheduling.JobStore.DeleteAsync(Db, kind, key, cancellationToken);

    /// <summary>
    /// Runs <paramref name="create"/> once per <paramref name="scope"/> and <paramref name="key"/> (a client's <c>id</c>
    /// or <c>client_id</c>): the first time its result is stored with this transaction; later calls return the stored
    /// result with <c>Duplicate</c> true and run nothing. A concurrent first call on PostgreSQL waits for this one.
    /// </summary>
    public async Task<(T Result, bool Duplicate)> OnceAsync<T>(string scope, string key, JsonTypeInfo<T> info, Func<Task<T>> create,
        CancellationToken cancellationToken = default)
    {
        if (await IdempotencyStore.TryReserveAsync(Db, scope, key, NowMs, cancellationToken) is { } stored)
        {
            return (JsonSerializer.Deserialize(stored, info)!, true);
        }
        var result = await create();
        await IdempotencyStore.CompleteAsync(Db, scope, key, JsonSerializer.Serialize(result, info), NowMs, cancellationToken);
        return (result, false);
    }

    /// <summary>
    /// Writes a <see cref="PublicationBatch"/>: its notifications kept in a fixed few statements whatever their number (the
    /// plain ones in one insert, the replaceable ones in one upsert of their (user, key) rows, and the inboxes that grew
    /// bounded); every publication, each notification's live one at its place, joins the transaction's outbox rows
    /// (one insert before the commit) and is published after the commit in the batch's order.
    /// </summary>
    public async Task PublishBatchAsync(PublicationBatch batch, CancellationToken cancellationToken = default)
    {
        var notices = batch.Entries.Where(e => e.Notice is not null).Select(e => e.Notice!).ToList();
        long[] ids = [];
        if (notices.Count > 0)
        {
            var kept = await NotificationStore.InsertEachAsync(Db, notices, NowMs, _kit.Options.MaxNotificationsPerUser, cancellationToken);
            ids = kept.Ids;
            var counts = notices.CountBy(n => n.Type).ToArray();
            OnCommitted(() =>
            {
                foreach (var (type, count) in counts)
                {
                    KitMetrics.NotificationsKept.WithLabels(type).Inc(count);
                }
                KitMetrics.NotificationsReplaced.Inc(kept.Replaced);
            });
        }
        var rows = new List<OutboxRow>(batch.Entries.Count);
        var next = 0;
        foreach (var (row, notice) in batch.Entries)
        {
            if (notice is not null)
            {
                row.Data = NotificationJson.Live(ids[next++], notice, NowMs);
            }
            rows.Add(row);
        }
        // Kept with the transaction's other publications, written together before the commit (WriteOutboxAsync).
        _pending.AddRange(rows);
        batch.Entries.Clear();
    }

    internal static string UserChannel(string user) => "user:" + user;

    /// <summary>
    /// Stores an event with a pending handling per name in <paramref name="handlers"/> and records its deliveries to the
    /// app's webhooks: the one path of raised and announced events. <paramref name="announced"/>: the webhooks an
    /// announcement already found subscribed (it has no handler, so the dispatcher is not woken); null for a raise.
    /// </summary>
    private async Task<(long Id, string Json)> InsertEventAsync<T>(DomainEventKind<T> kind, T data, IReadOnlyList<string> handlers, CancellationToken ct,
        List<long>? announced = null)
    {
        var json = JsonSerializer.Serialize(data, kind.Json);
        // A raise asks in its insert whether any endpoint subscribes (nearly always none), and reads which only when one does.
        var (id, subscribed) = await DomainEventStore.InsertAsync(Db, kind.Type, json, NowMs, handlers, askWebhooks: announced is null, ct);
        // A raise with a pending handling wakes the dispatcher after the commit; one handled at once (RaiseAndHandleAsync) or
        // with no handler has nothing for it to claim, and waking it would cost a sweep of reads per event.
        RaisedEvents |= announced is null && handlers.Count > 0;
        // The app's webhooks get every event raised or announced: their deliveries commit (or roll back) with it.
        if ((announced ?? (subscribed ? await WebhookStore.SubscribersAsync(Db, kind.Type, ct) : null)) is { Count: > 0 } endpoints)
        {
            await WebhookStore.RecordAsync(Db, endpoints, id, kind.Type, json, NowMs, ct);
            RecordedWebhooks = true;
        }
        return (id, json);
    }

    /// <summary>
    /// Keeps a publication for the transaction's one outbox insert (<see cref="WriteOutboxAsync"/>, before the commit):
    /// a write that publishes three events writes them in one statement, not three.
    /// </summary>
    private Task AddAsync(OutboxRow row, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        _pending.Add(row);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Takes the sequence of each channel this transaction publishes on (<see cref="ChannelSequences"/>), on PostgreSQL
    /// when the publisher keeps them in order across nodes (<paramref name="acrossNodes"/>); null otherwise, at no cost.
    /// The kit calls it last, after <see cref="WriteOutboxAsync"/>, right before the commit: the rows it locks are held
    /// from here to the commit only.
    /// </summary>
    internal async Task<Dictionary<string, long>?> TakeSequencesAsync(bool acrossNodes, CancellationToken ct) =>
        acrossNodes && _rows.Count > 0 && Db.Provider == DatabaseProvider.Postgres ? await ChannelSequences.TakeAsync(Db, _rows, ct) : null;

    /// <summary>
    /// Writes the publications not yet in <c>kit_outbox</c> (claimed by this node, which publishes them after the commit),
    /// in the order they were made: one row, a <see cref="OutboxRow.Batch"/> holding them all when there are several (a
    /// gamification event's twenty-odd publications cost one row's insert and one row's delete, not twenty). The kit calls
    /// it when the work returns, inside its transaction, so they commit or roll back with it as if each had been written
    /// when made.
    /// </summary>
    internal async Task WriteOutboxAsync(CancellationToken ct)
    {
        if (_pending.Count == 0)
        {
            return;
        }
        if (_pending.Count == 1)
        {
            await OutboxStore.InsertAsync(Db, _pending[0], _claim, NowMs, NowMs + _kit.Options.LeaseMs, ct);
            _rows.Add(_pending[0]);
            _pending.Clear();
            return;
        }
        // The batch's JSON is written once, in the form the database binds; its entries stay in memory for the dispatcher,
        // so the row's data is not kept as a string too.
        var row = new OutboxRow { Kind = OutboxRow.Batch, Entries = [.. _pending] };
        await OutboxStore.InsertBatchAsync(Db, row, _pending, _claim, NowMs, NowMs + _kit.Options.LeaseMs, ct);
        _rows.Add(row);
        _pending.Clear();
    }
}

/// <summary>A domain event raised and handled at once (<see cref="FeatureTransaction.RaiseAndHandleAsync{T}"/>).</summary>
/// <param name="Id">The event's id; null when nothing needed it stored (no handler took it and no webhook subscribes).</param>
/// <param name="Outcomes">What its handlers reported, by name (a handler that failed reported nothing: it runs again later).</param>
public sealed record HandledEvent(long? Id, IReadOnlyDictionary<string, JsonElement> Outcomes);

/// <summary>The names of outcomes that features report (<see cref="FeatureTransaction.ReportOutcome{T}"/>) and raisers read.</summary>
public static class DomainEventOutcomes
{
    /// <summary>An activity of the social feed made of the event (FEATURES.md: <c>effects.activity</c> of <c>POST /api/events</c>).</summary>
    public const string Activity = "activity";
}
