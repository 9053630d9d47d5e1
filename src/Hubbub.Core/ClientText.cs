namespace Hubbub.Core;

/// <summary>Client-supplied text quoted in an error message, cut short so a refusal cannot echo a huge frame back.</summary>
internal static class ClientText
{
    public static string Truncate(string value) => value.Length <= 64 ? value : value[..64] + "…";
}
