using System.Net;
using Hubbub.Features.Tests.Infrastructure;

namespace Hubbub.Features.Tests;

public sealed class CallerWordServer : FeatureServerFixture
{
    public override string Engine => "sqlite";
}

/// <summary>
/// The word <c>me</c> (docs/features/README.md "Who may call what"): it names the caller in a path, but in
/// <c>?user=</c> it is a user id like any other, which no user has: a user's own token naming it is <c>403</c>, the
/// server key <c>400</c>; the achievements list reads it as the caller.
/// </summary>
public sealed class CallerWordTests(CallerWordServer fixture) : IClassFixture<CallerWordServer>
{
    [Fact]
    public async Task Me_names_the_caller_in_a_path_but_not_in_the_user_parameter()
    {
        var ada = Users.New("ada");
        using var api = fixture.Chat.Api(ada);
        using var server = new ServerApi(fixture.Chat.Server.BaseAddress, TestServer.ApiKey);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/users/me/activities")).Status);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/users/me/profile")).Status);
        foreach (var path in new[] { "/api/wallet?user=me", "/api/notifications?user=me", "/api/feed?user=me" })
        {
            var mine = await api.GetAsync(path);
            Assert.True(mine.Status == HttpStatusCode.Forbidden, $"{path}: {mine}");
            Assert.Equal("forbidden", mine.Code);
            Assert.Equal(HttpStatusCode.OK, (await api.GetAsync(path.Replace("=me", "=" + ada, StringComparison.Ordinal))).Status);
            var asServer = await server.GetAsync(path);
            Assert.True(asServer.Status == HttpStatusCode.BadRequest, $"{path} (server key): {asServer}");
        }
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/achievements?user=me")).Status);
    }
}
