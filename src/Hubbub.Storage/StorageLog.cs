namespace Hubbub.Storage;

/// <summary>The storage layer's log messages, source-generated, with stable event ids.</summary>
internal static partial class StorageLog
{
    [LoggerMessage(4000, LogLevel.Information, "Storage: {Database}")]
    public static partial void Using(ILogger logger, string database);

    [LoggerMessage(4001, LogLevel.Information, "Applied migration {Migration} in {Milliseconds} ms")]
    public static partial void Applied(ILogger logger, string migration, long milliseconds);

    [LoggerMessage(4002, LogLevel.Information, "Database schema up to date: {Applied} migrations applied now, {AlreadyApplied} before")]
    public static partial void UpToDate(ILogger logger, int applied, int alreadyApplied);

    [LoggerMessage(4003, LogLevel.Information, "Storage:MigrateOnStart is off: not applying migrations; the database answered")]
    public static partial void MigrationsSkipped(ILogger logger);
}
