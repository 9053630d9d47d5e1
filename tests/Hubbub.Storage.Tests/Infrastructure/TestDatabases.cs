namespace Hubbub.Storage.Tests.Infrastructure;

/// <summary>Creates a fresh database by engine name, for tests that run once per engine as a theory.</summary>
public static class TestDatabases
{
    /// <summary>The engines every storage test runs against.</summary>
    public static TheoryData<string> Engines => new() { "sqlite", "postgres" };

    /// <summary>A fresh database of <paramref name="engine"/> ("sqlite" or "postgres").</summary>
    public static async Task<TestDatabase> CreateAsync(string engine) => engine switch
    {
        "sqlite" => new SqliteTestDatabase(),
        "postgres" => await PostgresTestDatabase.CreateAsync(),
        _ => throw new ArgumentOutOfRangeException(nameof(engine), engine, "sqlite or postgres"),
    };
}
