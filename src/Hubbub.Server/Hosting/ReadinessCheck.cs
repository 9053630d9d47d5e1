using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Hubbub.Server.Hosting;

/// <summary>Not ready while shutting down, so a load balancer stops sending new connections here.</summary>
public sealed class ReadinessCheck(GracefulShutdown shutdown) : IHealthCheck
{
    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(shutdown.IsStopping ? HealthCheckResult.Unhealthy("shutting down") : HealthCheckResult.Healthy());
}
