namespace Hubbub.Storage;

/// <summary>Where a node keeps its files.</summary>
public static class HostDirectories
{
    /// <summary>The data directory (<c>Hubbub:DataDirectory</c>, default <c>data</c> under the content root).</summary>
    public static string DataDirectory(IConfiguration configuration, IHostEnvironment environment) =>
        Path.GetFullPath(configuration["Hubbub:DataDirectory"] is { Length: > 0 } d ? d : "data", environment.ContentRootPath);
}

/// <summary>A configuration problem that stops the server with a message instead of a stack trace.</summary>
public sealed class StartupException(string message) : Exception(message);
