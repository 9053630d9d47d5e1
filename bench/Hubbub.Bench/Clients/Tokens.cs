using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Hubbub.Bench.Infra;

namespace Hubbub.Bench.Clients;

/// <summary>Mints HS256 tokens for bench users with the bench's signing key, as any backend would.</summary>
public static class Tokens
{
    private static readonly byte[] Key = Encoding.UTF8.GetBytes(ServerProcess.SigningKey);

    /// <summary>A token for user <paramref name="user"/> valid for two hours.</summary>
    public static string For(string user)
    {
        var header = Base64Url.EncodeToString("""{"alg":"HS256","typ":"JWT"}"""u8);
        var exp = DateTimeOffset.UtcNow.AddHours(2).ToUnixTimeSeconds();
        var payload = Base64Url.EncodeToString(Encoding.UTF8.GetBytes($$"""{"sub":"{{user}}","name":"bench {{user}}","exp":{{exp}}}"""));
        var signed = $"{header}.{payload}";
        var signature = Base64Url.EncodeToString(HMACSHA256.HashData(Key, Encoding.UTF8.GetBytes(signed)));
        return $"{signed}.{signature}";
    }
}
