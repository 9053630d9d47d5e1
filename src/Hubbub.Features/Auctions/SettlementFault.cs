namespace Hubbub.Features.Auctions;

/// <summary>
/// A fault only tests switch on (<see cref="Setting"/>): the process ends halfway through an auction's settlement, after
/// the winner's hold is captured and the other holds released and before anything commits. It lets a test show that
/// such a death pays nobody and that the next node settles the auction once (issue 19: "a node killed in the middle of
/// settlement"), without depending on when a kill happens to land.
/// </summary>
public sealed partial class SettlementFault(IConfiguration configuration, ILogger<SettlementFault> logger)
{
    /// <summary>The setting (true: crash in the middle of every settlement). Never set it outside tests.</summary>
    public const string Setting = "Hubbub:Testing:CrashMidSettlement";

    private readonly bool _on = configuration.GetValue<bool>(Setting);

    /// <summary>Ends the process at once when the fault is on (nothing of the open transaction commits).</summary>
    internal void StrikeIfOn()
    {
        if (_on)
        {
            CrashingOnPurpose(logger);
            Environment.FailFast(Setting);
        }
    }

    [LoggerMessage(6500, LogLevel.Critical, "Testing: Hubbub:Testing:CrashMidSettlement is on; the process ends now, in the middle of a settlement")]
    private static partial void CrashingOnPurpose(ILogger logger);
}
