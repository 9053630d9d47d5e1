using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Hubbub.Storage;

/// <summary>
/// Readiness: the database answers <c>SELECT 1</c> within two seconds. When PostgreSQL goes away the node
/// reports not ready, so a load balancer sends traffic to nodes that can still write.
/// </summary>
public sealed class DatabaseHealthCheck(IDatabase database) : IHealthCheck
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    /// <inheritdoc />
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            await using var connection = await database.OpenConnectionAsync(timeout.Token);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT 1";
            await command.ExecuteScalarAsync(timeout.Token);
            return HealthCheckResult.Healthy(database.Description);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // The description names the database and never carries a password.
            return HealthCheckResult.Unhealthy($"{database.Description} does not answer: {ex.Message}");
        }
    }
}
