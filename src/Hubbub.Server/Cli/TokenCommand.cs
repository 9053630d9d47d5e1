using Hubbub.Features.Kit.Text;
using Hubbub.Server.Auth;

namespace Hubbub.Server.Cli;

/// <summary>
/// <c>token --user ID [--name NAME] [--roles a,b] [--ttl SECONDS]</c>: prints a token signed with the server's
/// key (in Development, the generated one), for trying the server with any WebSocket client.
/// </summary>
public static class TokenCommand
{
    /// <summary>The verb's usage.</summary>
    public const string Usage =
        """
        usage: token --user ID [--name NAME] [--roles admin,...] [--ttl SECONDS]
          Prints a token (JWT, HS256) signed with the server's key: Auth:SigningKey, or in Development the key the
          server generated in its data directory. Connect with ws://HOST/ws?access_token=TOKEN.
          --user   the user id (claim "sub")          --name   a display name
          --roles  comma-separated roles (admin)      --ttl    lifetime in seconds (default 86400)
        """;

    /// <summary>Runs the verb; returns the process exit code.</summary>
    public static int Run(IServiceProvider services, string[] args, TextWriter output, TextWriter error)
    {
        if (ParseOptions(args, out var problem) is not { } options)
        {
            error.WriteLine(problem);
            return 2;
        }
        if (!options.TryGetValue("user", out var user) || string.IsNullOrWhiteSpace(user))
        {
            error.WriteLine(Usage);
            return 2;
        }
        if (!UserIds.IsValid(user))
        {
            error.WriteLine($"--user must be 1 to {UserIds.MaxLength} letters, digits and _ - . : @ = , | (the server refuses any other 'sub')");
            return 2;
        }
        if (options.TryGetValue("name", out var name) && !DisplayNames.IsValid(name))
        {
            error.WriteLine($"--name must be at most {DisplayNames.MaxLength} characters without control characters");
            return 2;
        }
        var ttl = 24 * 3600;
        if (options.TryGetValue("ttl", out var ttlText) && (!int.TryParse(ttlText, out ttl) || ttl <= 0))
        {
            error.WriteLine("--ttl must be a positive number of seconds");
            return 2;
        }
        var roles = options.TryGetValue("roles", out var r)
            ? r.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : [];
        var issuer = services.GetRequiredService<TokenIssuer>();
        output.WriteLine(issuer.Issue(user, options.GetValueOrDefault("name"), roles, TimeSpan.FromSeconds(ttl)));
        return 0;
    }

    /// <summary>The verb's own options; each takes a value.</summary>
    private static readonly string[] Known = ["user", "name", "roles", "ttl"];

    /// <summary>
    /// The host's own command-line settings, which the same arguments also configure (<c>--urls</c>,
    /// <c>--Auth:SigningKey=…</c>): passed over here, not refused.
    /// </summary>
    private static bool IsHostSetting(string name) =>
        name.Contains(':', StringComparison.Ordinal) || name.Contains("__", StringComparison.Ordinal)
        || name is "urls" or "environment" or "contentRoot" or "applicationName";

    /// <summary>The verb's options by name; null (and why) for one without its value or one the verb does not know.</summary>
    private static Dictionary<string, string>? ParseOptions(string[] args, out string problem)
    {
        problem = string.Empty;
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                continue;
            }
            var name = args[i][2..];
            var eq = name.IndexOf('=', StringComparison.Ordinal);
            string? value = null;
            if (eq > 0)
            {
                (name, value) = (name[..eq], name[(eq + 1)..]);
            }
            else if (i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                value = args[++i];
            }
            if (IsHostSetting(name))
            {
                continue;
            }
            if (!Known.Contains(name, StringComparer.Ordinal))
            {
                problem = $"unknown option --{name}\n{Usage}";
                return null;
            }
            if (value is null)
            {
                problem = $"--{name} needs a value\n{Usage}";
                return null;
            }
            result[name] = value;
        }
        return result;
    }
}
