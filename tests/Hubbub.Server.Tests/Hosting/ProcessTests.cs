using Hubbub.Server.Tests.Infrastructure;

namespace Hubbub.Server.Tests.Hosting;

/// <summary>The server as a process: configuration errors are one clear line, and the token verb mints usable tokens.</summary>
public sealed class ProcessTests
{
    private static Dictionary<string, string> Env(params (string, string)[] pairs)
    {
        var env = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Hubbub__DataDirectory"] = Directory.CreateTempSubdirectory("hubbub-proc-").FullName,
        };
        foreach (var (k, v) in pairs)
        {
            env[k] = v;
        }
        return env;
    }

    [Fact]
    public async Task Production_without_a_signing_key_refuses_to_start_with_a_clear_message()
    {
        var (code, output, error) = await ServerProcess.RunAsync("--urls http://127.0.0.1:0", Env());
        Assert.Equal(1, code);
        Assert.Contains("Auth:SigningKey is not set", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error + output, StringComparison.Ordinal); // no stack trace
    }

    [Fact]
    public async Task Invalid_settings_refuse_to_start_naming_the_setting()
    {
        var (code, _, error) = await ServerProcess.RunAsync("--urls http://127.0.0.1:0",
            Env(("Auth__SigningKey", TestTokens.Key), ("Hubbub__MaxFrameBytes", "0")));
        Assert.Equal(1, code);
        Assert.Contains("MaxFrameBytes", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Token_verb_mints_a_token_the_server_accepts()
    {
        var (code, output, error) = await ServerProcess.RunAsync("token --user 42 --name Ada --roles admin",
            Env(("Auth__SigningKey", TestTokens.Key)));
        Assert.True(code == 0, error);
        var token = output.Trim().Split('\n')[^1].Trim();
        Assert.Equal(3, token.Split('.').Length);

        using var server = new TestServer();
        await using var client = await WsClient.ConnectAsync(server.WebSocketUri(token));
        Assert.Equal("42", client.Welcome.GetProperty("data").GetProperty("user").GetString());
        Assert.Equal("Ada", client.Welcome.GetProperty("data").GetProperty("name").GetString());
        await client.SubscribeAsync("user:someone"); // the admin role came through
    }

    [Fact]
    public async Task Token_verb_without_user_explains_its_usage()
    {
        var (code, _, error) = await ServerProcess.RunAsync("token", Env(("Auth__SigningKey", TestTokens.Key)));
        Assert.Equal(2, code);
        Assert.Contains("usage: token --user", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("token --user", "--user needs a value")]
    [InlineData("token --user 1 --name", "--name needs a value")]
    [InlineData("token --user 1 --roles", "--roles needs a value")]
    [InlineData("token --user 1 --bogus x", "unknown option --bogus")]
    public async Task Token_verb_refuses_an_option_without_its_value_or_one_it_does_not_know(string args, string message)
    {
        // Found by an audit: `--user` alone minted a token for the user "true", an unknown option was ignored.
        var (code, output, error) = await ServerProcess.RunAsync(args, Env(("Auth__SigningKey", TestTokens.Key)));
        Assert.Equal(2, code);
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.DoesNotContain("eyJ", output, StringComparison.Ordinal); // no token printed
    }

    [Fact]
    public async Task Token_verb_passes_the_hosts_own_settings_over()
    {
        var (code, output, error) = await ServerProcess.RunAsync($"token --user 7 --Auth:SigningKey={TestTokens.Key}", Env());
        Assert.True(code == 0, error);
        Assert.Equal(3, output.Trim().Split('\n')[^1].Trim().Split('.').Length);
    }

    [Fact]
    public async Task Development_generates_and_keeps_a_signing_key_shared_by_server_and_verb()
    {
        var env = Env(("ASPNETCORE_ENVIRONMENT", "Development"));
        var first = await ServerProcess.RunAsync("token --user 1", env);
        var second = await ServerProcess.RunAsync("token --user 1", env);
        Assert.Equal(0, first.ExitCode);
        Assert.True(File.Exists(Path.Combine(env["Hubbub__DataDirectory"], "dev-signing-key")));
        var key = (await File.ReadAllTextAsync(Path.Combine(env["Hubbub__DataDirectory"], "dev-signing-key"))).Trim();
        using var server = new TestServer(new() { ["Auth:SigningKey"] = key });
        foreach (var run in new[] { first, second })
        {
            var token = run.Output.Trim().Split('\n')[^1].Trim();
            Assert.Equal(0, await WsClient.HandshakeStatusAsync(server.WebSocketUri(token)));
        }
    }

    [Fact]
    public async Task Migrate_needs_no_signing_key()
    {
        var (code, output, error) = await ServerProcess.RunAsync("migrate", Env());
        Assert.True(code == 0, error);
        Assert.Contains("registered", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_verb_is_refused()
    {
        var (code, _, error) = await ServerProcess.RunAsync("frobnicate", Env(("Auth__SigningKey", TestTokens.Key)));
        Assert.Equal(2, code);
        Assert.Contains("unknown command", error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_shipped_runtime_settings_are_workstation_gc_with_a_capped_gen0_budget_as_docs_performance_md_measured()
    {
        var path = Path.ChangeExtension(ServerProcess.ServerDll, ".runtimeconfig.json");
        using var config = System.Text.Json.JsonDocument.Parse(File.ReadAllText(path));
        var properties = config.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");
        Assert.Equal(2 * 1024 * 1024, properties.GetProperty("System.GC.Gen0MaxBudget").GetInt32()); // docs/operations.md: 2 MiB since 2026-12-06
        Assert.False(properties.GetProperty("System.GC.Server").GetBoolean());
    }
}
