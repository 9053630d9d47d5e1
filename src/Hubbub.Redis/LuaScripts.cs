namespace Hubbub.Redis;

/// <summary>
/// The Lua scripts, kept as .lua files embedded in the assembly. Each is prepended with its shared helpers, so
/// a helper is written once and every script still runs as one self-contained, atomic EVAL.
/// </summary>
internal static class LuaScripts
{
    public static readonly string Publish = Load("common", "publish");
    public static readonly string PublishMany = Load("common", "publish_many");
    public static readonly string PublishOrdered = Load("common", "publish_ordered");
    public static readonly string Read = Load("common", "read");
    public static readonly string PresenceAdd = Load("presence_common", "presence_add");
    public static readonly string PresenceRemove = Load("presence_common", "presence_remove");
    public static readonly string PresenceMembers = Load("presence_common", "presence_members");
    public static readonly string PresenceRefresh = Load("presence_common", "presence_refresh");
    public static readonly string PresenceSweep = Load("presence_common", "presence_sweep");
    public static readonly string PresenceIndexPrune = ReadResource("presence_index_prune");

    private static string Load(string helpers, string script) => ReadResource(helpers) + "\n" + ReadResource(script);

    private static string ReadResource(string name)
    {
        using var stream = typeof(LuaScripts).Assembly.GetManifestResourceStream($"Hubbub.Redis.Scripts.{name}.lua")
            ?? throw new InvalidOperationException($"embedded script {name}.lua is missing");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
