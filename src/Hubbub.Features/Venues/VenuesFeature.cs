using Hubbub.Features.Kit.Declaring;
using static Hubbub.Features.Venues.VenuesJsonContext;

namespace Hubbub.Features.Venues;

/// <summary>
/// Check-ins: options (section <c>Venues</c>), schema, the <c>venue</c> namespace (stats and last activities as its
/// join state), the <c>venues.checkin</c> and <c>venues.checkout</c> commands (the same records and service calls as
/// the REST API under <c>/api/venues</c>), the automatic check-out job, and the console's venues page.
/// </summary>
public sealed class VenuesFeature : HubbubFeature
{
    /// <inheritdoc />
    public override string Name => "venues";

    /// <inheritdoc />
    public override void Declare(FeatureBuilder feature) => feature
        .Options<VenuesOptions>(VenuesOptions.Section)
        .Migrations(VenuesSchema.Declare)
        .Namespace(sp => VenueChannelRules.Create(sp.GetRequiredService<VenueQueries>()))
        .Command<VenuesService, CheckinRequest, VisitView>("venues.checkin", Default.CheckinRequest, Default.VisitView, (s, me, r, ct) => s.CheckInAsync(me, r, ct))
        .Command<VenuesService, CheckoutRequest, VisitView>("venues.checkout", Default.CheckoutRequest, Default.VisitView, (s, me, r, ct) => s.CheckOutAsync(me, r, ct))
        .OnJob<VenuesService>(VenuesService.AutoCheckoutJob, (s, tx, job, ct) => s.AutoCheckOutAsync(tx, job, ct))
        .Api<VenuesOptions>("/api/venues", o => o.MaxBodyBytes, VenuesEndpoints.Map)
        .ConsolePage("venues", "Venues", "venues.js")
        .Services.AddSingleton<VenueQueries>().AddSingleton<VenuesService>();
}
