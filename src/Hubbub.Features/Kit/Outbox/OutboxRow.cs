namespace Hubbub.Features.Kit.Outbox;

/// <summary>One outgoing publication (or end of subscriptions) waiting in <c>kit_outbox</c> for its commit.</summary>
internal sealed class OutboxRow
{
    /// <summary>A publication of <see cref="EventType"/> with <see cref="Data"/> on <see cref="Channel"/>.</summary>
    public const string Publish = "publish";

    /// <summary>The end of <see cref="TargetUser"/>'s subscriptions to <see cref="Channel"/>; <see cref="EventType"/> holds the reason.</summary>
    public const string Unsubscribe = "unsubscribe";

    public long Id { get; set; }
    public string Kind { get; set; } = Publish;
    public string Channel { get; set; } = "";
    public string? EventType { get; set; }
    public string? Data { get; set; }
    public string? TargetUser { get; set; }
    public long Attempts { get; set; }
}
