namespace Hubbub.Features.Kit.Outbox;

/// <summary>
/// One outgoing publication (or end of subscriptions) waiting in <c>kit_outbox</c> for its commit; or, of kind
/// <see cref="Batch"/>, one row holding several of them in order (<see cref="OutboxEntries"/>): a transaction's
/// publications are written as one row, not one row each.
/// </summary>
internal sealed class OutboxRow
{
    /// <summary>A publication of <see cref="EventType"/> with <see cref="Data"/> on <see cref="Channel"/>.</summary>
    public const string Publish = "publish";

    /// <summary>The end of <see cref="TargetUser"/>'s subscriptions to <see cref="Channel"/>; <see cref="EventType"/> holds the reason.</summary>
    public const string Unsubscribe = "unsubscribe";

    /// <summary>
    /// Several publications and ends of subscriptions of one transaction, in order: <see cref="Data"/> holds them as a JSON
    /// array (<see cref="OutboxEntries"/>), <see cref="Channel"/> is empty and <see cref="EventType"/> null. A batch the node
    /// wrote itself holds its <see cref="Entries"/> and no <see cref="Data"/> in memory (its JSON went to the database as UTF-8).
    /// </summary>
    public const string Batch = "batch";

    public long Id { get; set; }
    public string Kind { get; set; } = Publish;
    public string Channel { get; set; } = "";
    public string? EventType { get; set; }
    public string? Data { get; set; }
    public string? TargetUser { get; set; }
    public long Attempts { get; set; }

    /// <summary>
    /// Written by a fan-out of one event to many channels (<see cref="FeatureTransaction.PublishToChannelsAsync{T}"/>, the
    /// social feed's): not numbered across nodes (<see cref="ChannelSequences"/>), which would lock a row per reader until
    /// the commit and make every activity of overlapping readers wait for each other. In memory only.
    /// </summary>
    public bool FanOut { get; init; }

    /// <summary>A batch's entries as written (kept in memory by the writing node, so it publishes them without reading them back).</summary>
    public IReadOnlyList<OutboxRow>? Entries { get; set; }

    /// <summary>What this row publishes, in order: itself, or a batch's entries (read from <see cref="Data"/> when not in memory).</summary>
    public IReadOnlyList<OutboxRow> Publications() => Kind != Batch ? [this] : Entries ??= OutboxEntries.Read(Data ?? "[]");
}
