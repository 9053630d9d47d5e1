using System.Net;
using System.Text.Json;
using Hubbub.Features.Tests.Infrastructure;

namespace Hubbub.Features.Tests.Social;

/// <summary>One real server per test class and engine; tests use fresh users so they share it.</summary>
public abstract class SocialFixture : FeatureServerFixture
{
    /// <inheritdoc />
    protected override Dictionary<string, string?> Settings => FeatureServerFixture.FastKit;
}

public sealed class SqliteSocial : SocialFixture
{
    public override string Engine => "sqlite";
}

public sealed class PostgresSocial : SocialFixture
{
    public override string Engine => "postgres";
}

/// <summary>What the social tests share.</summary>
internal static class Social
{
    public static async Task BefriendAsync(this ChatServer chat, string a, string b)
    {
        using var apiA = chat.Api(a);
        using var apiB = chat.Api(b);
        Assert.Equal("requested", Ok(await apiA.PostAsync("/api/friends", new { user = b })).GetProperty("status").GetString());
        Assert.Equal("friends", Ok(await apiB.PostAsync("/api/friends", new { user = a })).GetProperty("status").GetString());
    }

    public static async Task<JsonElement> PostActivityAsync(this ApiClient api, string title, object? data = null, string? id = null)
    {
        var answer = await api.PostAsync("/api/activities", new { type = "run", title, data, id });
        Assert.True(answer.Status == HttpStatusCode.Created, answer.ToString());
        return answer.Body;
    }

    public static JsonElement Ok(Answer answer)
    {
        Assert.True(answer.Status is HttpStatusCode.OK or HttpStatusCode.Created, answer.ToString());
        return answer.Body;
    }

    public static List<string> Ids(JsonElement page) =>
        page.GetProperty("activities").EnumerateArray().Select(a => a.GetProperty("id").GetString()!).ToList();
}
