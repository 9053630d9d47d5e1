using System.Security.Cryptography;
using System.Text;

namespace Hubbub.Storage.Migrations;

/// <summary>
/// One schema change of one feature: applied once, in version order within its feature, in its own transaction
/// together with its journal row. The SQL may hold several statements; where the dialects differ each engine has its own.
/// </summary>
public sealed record Migration(string Feature, int Version, string Name, string SqliteSql, string PostgresSql)
{
    /// <summary>The SQL for <paramref name="provider"/>.</summary>
    public string Sql(DatabaseProvider provider) => provider == DatabaseProvider.Postgres ? PostgresSql : SqliteSql;

    /// <summary>
    /// A hash of the SQL the engine runs, kept in the journal: a migration edited after it was applied is
    /// reported at start instead of silently diverging between databases.
    /// </summary>
    public string Checksum(DatabaseProvider provider) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Sql(provider).ReplaceLineEndings("\n").Trim())))[..16];

    /// <summary>"feature/version name", as printed by the <c>migrate</c> verb.</summary>
    public override string ToString() => $"{Feature}/{Version} {Name}";
}
