using System.Text.Json;
using Hubbub.Core;
using Hubbub.Storage;
using Microsoft.Extensions.Options;

namespace Hubbub.Features.Gamification;

/// <summary>
/// Stores the definitions of <see cref="GamificationOptions.RulesFile"/> when the server starts (after the migrations,
/// which are registered before the features), so a deployment ships its rules with its configuration. An unreadable
/// or invalid file stops the start with the reason (one line and exit code 1, as any setting the operator fixes); a
/// valid one is stored whole, in one transaction.
/// </summary>
internal sealed partial class RulesFileSeeder(DefinitionService definitions, IOptions<GamificationOptions> options, ILogger<RulesFileSeeder> logger)
    : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.RulesFile is not { Length: > 0 } path)
        {
            return;
        }
        RulesFile file;
        try
        {
            await using var stream = File.OpenRead(path);
            file = await JsonSerializer.DeserializeAsync(stream, GamificationJsonContext.Default.RulesFile, cancellationToken)
                ?? throw new InvalidOperationException("the file holds null");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException or InvalidOperationException)
        {
            throw new StartupException($"Gamification:RulesFile '{path}' could not be read: {ex.Message}");
        }
        IReadOnlyList<KeptBoard> kept;
        try
        {
            kept = await definitions.SeedAsync(file, cancellationToken);
        }
        catch (HubbubException ex)
        {
            throw new StartupException($"Gamification:RulesFile '{path}' is invalid: {ex.Message}");
        }
        // A board kept as stored does not stop the start: every other definition of the file is in force, and the stored
        // board goes on as it was. The warning says which field and what to do, since the file no longer says what runs.
        foreach (var board in kept)
        {
            LogBoardKept(logger, path, board.Key, board.Fields, board.Stored, board.File);
        }
        LogSeeded(logger, path);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(6302, LogLevel.Information, "Gamification: definitions of {Path} stored")]
    private static partial void LogSeeded(ILogger logger, string path);

    [LoggerMessage(6304, LogLevel.Warning,
        "Gamification:RulesFile '{Path}': leaderboard '{Board}' is kept as stored ({Stored}): the file changes its {Fields} ({File}) " +
        "but it has scores, which would then mean something else. To take the file's definition, delete the board " +
        "(DELETE /api/leaderboards/{Board}, its scores go with it) and start again, or give the file's board a new key")]
    private static partial void LogBoardKept(ILogger logger, string path, string board, string fields, string stored, string file);
}
