using Hubbub.Storage;

namespace Hubbub.Features.Kit;

/// <summary>What the kit's claiming loops share before they claim.</summary>
internal static class KitClaims
{
    /// <summary>Whether <paramref name="table"/> holds a row matching <paramref name="condition"/> (a constant of the kit's, never input).</summary>
    public static Task<bool> AnyClaimableAsync(IDatabase database, string table, string condition, long now, CancellationToken ct) =>
        database.ReadAsync(async tx => await tx.ExecuteScalarAsync<long?>($"SELECT 1 FROM {table} WHERE {condition} LIMIT 1", new { now }, ct) is not null, ct);
}
