using System.Reflection;

namespace Hubbub.Core;

/// <summary>
/// The version of Hubbub, set in one place (<c>&lt;Version&gt;</c> in Directory.Build.props) and shown everywhere:
/// the welcome frame, <c>--help</c>, the OpenAPI document, the packages.
/// </summary>
public static class HubbubVersion
{
    /// <summary>The version, e.g. <c>0.1.0</c> (the informational version without the commit it was built from).</summary>
    public static string Current { get; } =
        typeof(HubbubVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? typeof(HubbubVersion).Assembly.GetName().Version?.ToString(3)
        ?? "0.0.0";
}
