using Prometheus;

namespace Hubbub.Features.Gamification;

/// <summary>Gamification's own counters on <c>/metrics</c>.</summary>
internal static class GamificationMetrics
{
    /// <summary>
    /// <c>overtaken</c> events published live to passed users, counted after their commit. Those also kept in an inbox
    /// (<see cref="GamificationOptions.OvertakenNotificationTopRank"/>) are <c>hubbub_notifications_kept_total{type="overtaken"}</c>.
    /// </summary>
    public static readonly Counter Overtaken = Metrics.CreateCounter("hubbub_gamification_overtaken_total",
        "overtaken events published live to the users a better score passed (committed); those also kept in an inbox are hubbub_notifications_kept_total{type=\"overtaken\"}.");
}
