namespace Hubbub.Server.Cli;

/// <summary>
/// A setting whose text is not of its type (<c>Venues__MaxSessionHours=abc</c>): the configuration binder throws when
/// the options are first read, which may be while the host is built or while it starts. Said in one line like any
/// other invalid setting, not as an unhandled exception with a stack trace and an abort.
/// </summary>
public static class SettingFailures
{
    // The binder's own sentence (Microsoft.Extensions.Configuration.Binder): "Failed to convert configuration value
    // 'abc' at 'Venues:MaxSessionHours' to type 'System.Int32'." It names the setting and the value, which is all an
    // operator needs; the type is said in plain words.
    private const string BinderPrefix = "Failed to convert configuration value";

    /// <summary>The one-line reason when <paramref name="ex"/> (or an exception inside it) is such a failure, else null.</summary>
    public static string? Describe(Exception ex)
    {
        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            if (e is InvalidOperationException && e.Message.StartsWith(BinderPrefix, StringComparison.Ordinal))
            {
                return e.Message.Replace(BinderPrefix, "the setting value", StringComparison.Ordinal)
                    .Replace("to type 'System.Int32'", "is not a whole number", StringComparison.Ordinal)
                    .Replace("to type 'System.Int64'", "is not a whole number", StringComparison.Ordinal)
                    .Replace("to type 'System.Double'", "is not a number", StringComparison.Ordinal)
                    .Replace("to type 'System.Boolean'", "is not true or false", StringComparison.Ordinal)
                    .Replace("to type 'System.TimeSpan'", "is not a time span (hh:mm:ss)", StringComparison.Ordinal);
            }
            if (e is AggregateException { InnerExceptions.Count: 1 } aggregate)
            {
                return Describe(aggregate.InnerExceptions[0]);
            }
        }
        return null;
    }
}
