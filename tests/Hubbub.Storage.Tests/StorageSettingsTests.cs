using Hubbub.Server.Auth;
using Hubbub.Storage;
using Hubbub.Storage.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;

namespace Hubbub.Storage.Tests;

/// <summary>Which database a node picks from configuration, and how bad settings are reported.</summary>
public sealed class StorageSettingsTests
{
    private const string Root = "/srv/hubbub";

    private static StorageSettings Resolve(params (string Key, string Value)[] settings) =>
        StorageSettings.Resolve(
            new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build(),
            new TestHostEnvironment(Root));

    private static string File(StorageSettings settings) => new SqliteConnectionStringBuilder(settings.ConnectionString).DataSource;

    [Fact]
    public void Nothing_configured_means_sqlite_in_the_data_directory()
    {
        var settings = Resolve();
        Assert.Equal(DatabaseProvider.Sqlite, settings.Provider);
        Assert.Equal("/srv/hubbub/data/hubbub.db", File(settings));
        Assert.Equal("SQLite file /srv/hubbub/data/hubbub.db", settings.Description);
    }

    [Fact]
    public void The_data_directory_setting_moves_the_default_file()
    {
        Assert.Equal("/var/lib/hubbub/hubbub.db", File(Resolve(("Hubbub:DataDirectory", "/var/lib/hubbub"))));
        Assert.Equal("/srv/hubbub/state/hubbub.db", File(Resolve(("Hubbub:DataDirectory", "state"))));
    }

    [Fact]
    public void Sqlite_accepts_a_bare_path_or_a_connection_string_relative_to_the_content_root()
    {
        Assert.Equal("/srv/hubbub/db/app.db", File(Resolve(("ConnectionStrings:Sqlite", "db/app.db"))));
        Assert.Equal("/tmp/x.db", File(Resolve(("ConnectionStrings:Sqlite", "Data Source=/tmp/x.db;Cache=Private"))));
    }

    [Theory]
    [InlineData(":memory:")]
    [InlineData("Data Source=x;Mode=Memory")]
    [InlineData("Data Source=")]
    public void In_memory_sqlite_is_refused(string value)
    {
        var ex = Assert.Throws<StartupException>(() => Resolve(("ConnectionStrings:Sqlite", value)));
        Assert.Contains("must name a file", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_malformed_sqlite_connection_string_names_the_setting()
    {
        var ex = Assert.Throws<StartupException>(() => Resolve(("ConnectionStrings:Sqlite", "Data Source=a.db;Bogus Keyword=1")));
        Assert.StartsWith("ConnectionStrings:Sqlite is not a valid SQLite connection string", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Postgres_wins_over_sqlite_and_its_description_has_no_password()
    {
        var settings = Resolve(
            ("ConnectionStrings:Postgres", "Host=db.internal;Port=5433;Database=hubbub;Username=app;Password=hunter2"),
            ("ConnectionStrings:Sqlite", "other.db"));
        Assert.Equal(DatabaseProvider.Postgres, settings.Provider);
        Assert.Equal("PostgreSQL database 'hubbub' at db.internal:5433", settings.Description);
    }

    [Fact]
    public void A_malformed_postgres_connection_string_names_the_setting_without_echoing_it()
    {
        var ex = Assert.Throws<StartupException>(() => Resolve(("ConnectionStrings:Postgres", "Host=x;Password=hunter2;Nonsense=1")));
        Assert.StartsWith("ConnectionStrings:Postgres is not a valid Npgsql connection string", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Busy_timeout_out_of_range_is_invalid()
    {
        Assert.NotEmpty(new StorageOptions { SqliteBusyTimeoutMs = -1 }.Validate());
        Assert.NotEmpty(new StorageOptions { SqliteGroupCommit = 0 }.Validate());
        Assert.Empty(new StorageOptions().Validate());
    }
}
