namespace Hubbub.Bench.Infra;

/// <summary>The servers a run compares.</summary>
public enum ServerKind
{
    /// <summary>Hubbub itself (src/Hubbub.Server).</summary>
    Hubbub,

    /// <summary>The hand-written Kestrel broadcast baseline.</summary>
    Kestrel,

    /// <summary>The SignalR hub baseline.</summary>
    SignalR,
}

/// <summary>Names of the servers in tables and files.</summary>
public static class ServerKindNames
{
    /// <summary>The column title.</summary>
    public static string Title(this ServerKind kind) => kind switch
    {
        ServerKind.Hubbub => "Hubbub",
        ServerKind.Kestrel => "Kestrel broadcast",
        _ => "SignalR hub",
    };

    /// <summary>The short name used on the command line and in CSV.</summary>
    public static string Key(this ServerKind kind) => kind switch
    {
        ServerKind.Hubbub => "hubbub",
        ServerKind.Kestrel => "kestrel",
        _ => "signalr",
    };

    /// <summary>Parses a short name.</summary>
    public static bool TryParse(string text, out ServerKind kind)
    {
        foreach (var k in Enum.GetValues<ServerKind>())
        {
            if (string.Equals(k.Key(), text, StringComparison.OrdinalIgnoreCase))
            {
                kind = k;
                return true;
            }
        }
        kind = default;
        return false;
    }
}
