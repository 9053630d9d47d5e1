using Hubbub.Storage;
using Hubbub.Storage.Migrations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Hubbub.Storage.Tests.Infrastructure;

/// <summary>
/// The storage services of one server node, registered exactly as the server registers them
/// (<see cref="StorageServiceCollectionExtensions.AddHubbubStorage"/>), without the web host around them.
/// Two nodes on one <see cref="TestDatabase"/> behave like two server processes sharing a database.
/// </summary>
public sealed class StorageNode : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    /// <summary>Builds a node; <paramref name="declare"/> registers feature migrations as a feature's AddXxx would.</summary>
    public StorageNode(TestDatabase database, Action<IServiceCollection>? declare = null, IReadOnlyDictionary<string, string?>? extraSettings = null)
        : this(database.Settings.Concat(extraSettings ?? new Dictionary<string, string?>()), database.Folder, declare)
    {
    }

    /// <summary>Builds a node from raw settings, with <paramref name="contentRoot"/> as its content root.</summary>
    public StorageNode(IEnumerable<KeyValuePair<string, string?>> settings, string contentRoot, Action<IServiceCollection>? declare = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<IConfiguration>(configuration);
        services.AddHubbubStorage(configuration, new TestHostEnvironment(contentRoot), "ready");
        declare?.Invoke(services);
        _services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    /// <summary>The node's database.</summary>
    public IDatabase Database => _services.GetRequiredService<IDatabase>();

    /// <summary>The node's migration runner.</summary>
    public MigrationRunner Migrations => _services.GetRequiredService<MigrationRunner>();

    /// <summary>The node's services.</summary>
    public IServiceProvider Services => _services;

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _services.DisposeAsync();
}
