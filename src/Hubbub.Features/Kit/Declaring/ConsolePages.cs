using System.Reflection;

namespace Hubbub.Features.Kit.Declaring;

/// <summary>
/// A page of the web console that a feature brings: its menu entry and the ES module that builds it, embedded in the
/// feature's assembly (the csproj embeds every <c>{Feature}/Console/*.js</c> as <c>console/{file}</c>).
/// </summary>
/// <param name="Feature">The declaring feature's name.</param>
/// <param name="Id">The page's route (<c>#/{id}</c>): lowercase letters, digits and '-'.</param>
/// <param name="Title">The menu's label.</param>
/// <param name="Script">The module's file name, e.g. <c>venues.js</c>; served at <c>/console/pages/{Script}</c>.</param>
/// <param name="Assembly">Where the module is embedded.</param>
public sealed record ConsolePage(string Feature, string Id, string Title, string Script, Assembly Assembly)
{
    /// <summary>The manifest resource name of the module in <see cref="Assembly"/>.</summary>
    public string ResourceName => ConsolePages.ResourcePrefix + Script;
}

/// <summary>Every console page the features declared, in declaration order (the menu's order after the shell's own).</summary>
public sealed class ConsolePages
{
    /// <summary>The logical-name prefix the features' csproj gives embedded page modules.</summary>
    public const string ResourcePrefix = "console/";

    private readonly List<ConsolePage> _pages = [];

    /// <summary>The pages, in declaration order.</summary>
    public IReadOnlyList<ConsolePage> All => _pages;

    /// <summary>The page whose module is <paramref name="script"/>, or null.</summary>
    public ConsolePage? ByScript(string script) => _pages.Find(p => p.Script == script);

    internal void Add(ConsolePage page)
    {
        if (page.Id.Length is 0 or > 40 || !char.IsAsciiLetterLower(page.Id[0]) || !page.Id.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
        {
            throw new ArgumentException($"console page id '{page.Id}' must be 1-40 lowercase letters, digits or '-', starting with a letter");
        }
        if (string.IsNullOrWhiteSpace(page.Title))
        {
            throw new ArgumentException($"console page '{page.Id}' needs a title");
        }
        if (page.Assembly.GetManifestResourceInfo(page.ResourceName) is null)
        {
            throw new ArgumentException($"console page '{page.Id}': no embedded module '{page.ResourceName}' in {page.Assembly.GetName().Name} (put it in {{Feature}}/Console/)");
        }
        if (_pages.Exists(p => p.Id == page.Id || p.Script == page.Script))
        {
            throw new ArgumentException($"console page '{page.Id}' ({page.Script}) is declared twice");
        }
        _pages.Add(page);
    }
}
