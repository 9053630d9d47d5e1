using Hubbub.Features.Kit.Declaring;
using static Hubbub.Features.Wallet.WalletJsonContext;

namespace Hubbub.Features.Wallet;

/// <summary>
/// Wallet: options (section <c>Wallet</c>), schema, the REST API under <c>/api/wallet</c>, the <c>wallet.get</c> and
/// <c>wallet.transfer</c> commands, and <see cref="IWallet"/> for other features' transactions.
/// </summary>
public sealed class WalletFeature : HubbubFeature
{
    /// <inheritdoc />
    public override string Name => "wallet";

    /// <inheritdoc />
    public override void Declare(FeatureBuilder feature)
    {
        feature
            .Options<WalletOptions>(WalletOptions.Section)
            .Migrations(WalletSchema.Declare)
            .Command<WalletService, WalletRequest, WalletView>("wallet.get", Default.WalletRequest, Default.WalletView, (s, me, _, ct) => s.GetAsync(me, ct))
            .Command<WalletService, TransferRequest, TransferResult>("wallet.transfer", Default.TransferRequest, Default.TransferResult,
                (s, me, r, ct) => s.TransferAsync(me, r, ct))
            .Api<WalletOptions>("/api/wallet", o => o.MaxBodyBytes, WalletEndpoints.Map);
        feature.Services.AddSingleton<IWallet, WalletLedger>();
        feature.Services.AddSingleton<WalletService>();
    }
}
