using Hubbub.Storage;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Hubbub.Server.Auth;

/// <summary>
/// Resolves the token signing key: the configured <c>Auth:SigningKey</c>, or in Development a random key
/// generated once and kept in the data directory, so the server and the <c>token</c> CLI verb agree.
/// </summary>
public sealed class SigningKeyProvider
{
    /// <summary>The file, inside the data directory, that holds the Development key.</summary>
    public const string DevelopmentKeyFile = "dev-signing-key";

    /// <summary>Resolves the key or explains, in one sentence, why the server cannot start.</summary>
    public SigningKeyProvider(IOptions<AuthOptions> options, IHostEnvironment environment, IConfiguration configuration)
    {
        var configured = options.Value.SigningKey;
        if (!string.IsNullOrEmpty(configured))
        {
            Key = Encoding.UTF8.GetBytes(configured);
            return;
        }
        if (!environment.IsDevelopment())
        {
            throw new StartupException(
                "Auth:SigningKey is not set. Set it (environment variable Auth__SigningKey) to a secret (32 or more random characters are advised; the genconfig command makes one); " +
                "only the Development environment generates a key by itself.");
        }
        var path = Path.Combine(DataDirectory(configuration, environment), DevelopmentKeyFile);
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        }
        Key = Encoding.UTF8.GetBytes(File.ReadAllText(path).Trim());
        IsGenerated = true;
    }

    /// <summary>The key bytes.</summary>
    public byte[] Key { get; }

    /// <summary>True when the key was generated for Development.</summary>
    public bool IsGenerated { get; }

    /// <summary>The data directory (<c>Hubbub:DataDirectory</c>, default <c>data</c> under the content root).</summary>
    public static string DataDirectory(IConfiguration configuration, IHostEnvironment environment) =>
        Hubbub.Storage.HostDirectories.DataDirectory(configuration, environment);
}
