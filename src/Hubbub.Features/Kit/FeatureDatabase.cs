using Hubbub.Features.Kit.Diagnostics;
using Hubbub.Features.Kit.DomainEvents;
using Hubbub.Features.Kit.Outbox;
using Hubbub.Storage;
using Microsoft.Extensions.Options;

namespace Hubbub.Features.Kit;

/// <summary>
/// How a feature writes: <see cref="WriteAsync{T}"/> runs its work in one transaction together with the outbox rows,
/// domain events, notifications and jobs it causes, then — after the commit — publishes the rows on the caller's own
/// flow (no polling delay, and a command's reply still goes out before its events) and wakes the kit's loops.
/// </summary>
public sealed class FeatureDatabase(IDatabase database, OutboxDispatcher outbox, DomainEventRoutes routes, DomainEventHandlers handlers,
    KitSignals signals, IOptions<KitOptions> options, IConfiguration configuration, TimeProvider time, ILogger<FeatureDatabase> logger)
{
    /// <summary>The setting that ends the process right after a commit that wrote outbox rows or webhook deliveries: for tests only.</summary>
    public const string CrashAfterCommitSetting = "Hubbub:Testing:CrashAfterCommitBeforePublish";

    private readonly bool _crashAfterCommit = configuration.GetValue<bool>(CrashAfterCommitSetting);

    internal KitOptions Options => options.Value;

    internal DomainEventRoutes Routes => routes;

    internal DomainEventHandlers Handlers => handlers;

    internal ILogger Logger => logger;

    /// <summary>The database underneath, for reads and the rare work outside the kit.</summary>
    public IDatabase Database => database;

    /// <summary>Runs <paramref name="work"/> in a transaction: committed when it returns, rolled back when it throws.</summary>
    public async Task<T> WriteAsync<T>(Func<FeatureTransaction, Task<T>> work, CancellationToken cancellationToken = default)
    {
        FeatureTransaction? transaction = null;
        ChannelOrder.Turn? turn = null;
        T result;
        try
        {
            result = await database.InTransactionAsync(async tx =>
            {
                transaction = new FeatureTransaction(tx, this, time.GetUtcNow().ToUnixTimeMilliseconds());
                var result = await work(transaction);
                await transaction.WriteOutboxAsync(cancellationToken); // its publications, in one statement, before the commit
                // Its place in its channels' commit order across nodes (several nodes only; see ChannelSequences).
                var sequences = await transaction.TakeSequencesAsync(outbox.OrdersAcrossNodes, cancellationToken);
                // Its place among this node's writes to the same channels: after its writes took their locks, before the
                // commit (see ChannelOrder).
                turn = transaction.Outbox.Count > 0 ? outbox.Order.Take(transaction.Outbox, sequences) : null;
                return result;
            }, cancellationToken);
        }
        catch
        {
            turn?.Done(); // rolled back: nothing of it to wait for
            throw;
        }
        await AfterCommitAsync(transaction!, turn);
        return result;
    }

    /// <summary>Runs work that returns nothing; see <see cref="WriteAsync{T}"/>.</summary>
    public Task WriteAsync(Func<FeatureTransaction, Task> work, CancellationToken cancellationToken = default) =>
        WriteAsync(async tx =>
        {
            await work(tx);
            return true;
        }, cancellationToken);

    /// <summary>Reads without taking SQLite's write lock (<see cref="IDatabase.ReadAsync{T}"/>).</summary>
    public Task<T> ReadAsync<T>(Func<DatabaseTransaction, Task<T>> work, CancellationToken cancellationToken = default) =>
        database.ReadAsync(work, cancellationToken);

    private async Task AfterCommitAsync(FeatureTransaction transaction, ChannelOrder.Turn? turn)
    {
        if (_crashAfterCommit && (transaction.Outbox.Count > 0 || transaction.RecordedWebhooks))
        {
            KitLog.CrashingOnPurpose(logger);
            Environment.FailFast("Hubbub:Testing:CrashAfterCommitBeforePublish");
        }
        // The after-commit actions (a ranked index in Redis) start beside the publications rather than after them: on
        // Redis each is a round trip, and the answer waits for both. Neither orders the other (the index is read by
        // requests that may come at any time; a publication's order is per channel, kept by the outbox).
        var publishing = turn is not null ? outbox.PublishCommittedAsync(transaction.Outbox, turn) : Task.CompletedTask;
        if (transaction.RaisedEvents)
        {
            signals.DomainEvents.Signal();
        }
        if (transaction.ScheduledJobs)
        {
            signals.Jobs.Signal();
        }
        if (transaction.RecordedWebhooks)
        {
            signals.Webhooks.Signal();
        }
        var committed = transaction.Committed is { } actions ? RunCommittedAsync(actions) : Task.CompletedTask;
        await Task.WhenAll(publishing, committed);
    }

    /// <summary>Runs a transaction's after-commit actions one after the other, in the order they were registered.</summary>
    private static async Task RunCommittedAsync(List<Func<Task>> actions)
    {
        foreach (var action in actions)
        {
            await action();
        }
    }
}
