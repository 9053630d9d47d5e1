using Hubbub.Features.Kit.Declaring;

namespace Hubbub.Features.Kit.Webhooks;

/// <summary>
/// Outgoing webhooks, part of the kit (every deployment has them, every feature's events reach them): options (section
/// <c>Webhooks</c>), schema (migrated right after the kit's), the admin API under <c>/api/webhooks</c>, and the sender.
/// Deliveries are recorded by <see cref="FeatureTransaction"/> in the transaction that raises each event.
/// </summary>
internal sealed class WebhooksFeature : HubbubFeature
{
    public override string Name => WebhooksSchema.Feature;

    public override void Declare(FeatureBuilder feature)
    {
        feature
            .Options<WebhooksOptions>(WebhooksOptions.Section)
            .Migrations(WebhooksSchema.Declare)
            .Api<WebhooksOptions>("/api/webhooks", o => o.MaxBodyBytes, WebhookEndpoints.Map)
            .Services.AddSingleton<WebhookService>();
        feature.Services.AddHostedService<WebhookSender>();
    }
}
