using Hubbub.Core;
using Hubbub.Storage.Migrations;
using Microsoft.Extensions.Options;

namespace Hubbub.Server.Features.Rooms;

/// <summary>Registers and maps the rooms feature: <see cref="AddRooms"/> then <see cref="MapRoomsApi"/>.</summary>
public static class RoomsSetup
{
    /// <summary>
    /// Registers rooms: options (section <c>Rooms</c>, validated at start), schema, service, the <c>room</c> namespace
    /// and the <c>room.*</c> WebSocket commands.
    /// </summary>
    public static IServiceCollection AddRooms(this IServiceCollection services)
    {
        services.AddOptions<RoomsOptions>().BindConfiguration(RoomsOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<RoomsOptions>, RoomsOptionsValidator>();
        services.AddHubbubMigrations(RoomsSchema.Feature, RoomsSchema.Declare);
        services.AddSingleton<RoomsEvents>();
        services.AddSingleton<RoomsService>();
        services.AddChannelNamespace(RoomChannelRules.Create);
        services.AddRoomsCommands();
        return services;
    }

    /// <summary>Maps the rooms REST API under <c>/api/rooms</c>.</summary>
    public static IEndpointRouteBuilder MapRoomsApi(this IEndpointRouteBuilder app)
    {
        if (app.ServiceProvider.GetService<RoomsService>() is null)
        {
            throw new InvalidOperationException("Call services.AddRooms() before app.MapRoomsApi().");
        }
        RoomsEndpoints.Map(app);
        return app;
    }

    private sealed class RoomsOptionsValidator : IValidateOptions<RoomsOptions>
    {
        public ValidateOptionsResult Validate(string? name, RoomsOptions options) =>
            options.Validate() is { Count: > 0 } problems ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Success;
    }
}
