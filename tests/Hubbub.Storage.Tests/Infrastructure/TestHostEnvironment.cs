using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;

namespace Hubbub.Storage.Tests.Infrastructure;

/// <summary>A Production host environment rooted at a test folder.</summary>
public sealed class TestHostEnvironment(string contentRoot) : IHostEnvironment
{
    public string EnvironmentName { get; set; } = Environments.Production;

    public string ApplicationName { get; set; } = "Hubbub.Storage.Tests";

    public string ContentRootPath { get; set; } = contentRoot;

    public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
}
