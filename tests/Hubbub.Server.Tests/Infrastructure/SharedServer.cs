namespace Hubbub.Server.Tests.Infrastructure;

/// <summary>One server shared by the tests of a class that need no special settings.</summary>
public sealed class SharedServer : IDisposable
{
    public TestServer Server { get; } = new();

    public void Dispose() => Server.Dispose();
}
