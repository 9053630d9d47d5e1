using Hubbub.Features.Kit.Declaring;

namespace Hubbub.Features;

/// <summary>Every feature the server runs, in migration order: adding a feature is one line here, none in the host.</summary>
public static class FeatureCatalog
{
    /// <summary>The features, each declared by its own class.</summary>
    public static IReadOnlyList<HubbubFeature> All { get; } =
    [
        new Messaging.MessagingFeature(), new Rooms.RoomsFeature(), new Gamification.GamificationFeature(), new Social.SocialFeature(),
        new Learning.LearningFeature(), new Venues.VenuesFeature(), new Wallet.WalletFeature(), new Auctions.AuctionsFeature(),
    ];
}
