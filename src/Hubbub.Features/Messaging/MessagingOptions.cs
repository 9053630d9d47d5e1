namespace Hubbub.Features.Messaging;

/// <summary>Limits of the messaging feature (section <c>Messaging</c>), validated when the server starts.</summary>
public sealed class MessagingOptions : Kit.Declaring.IFeatureOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Messaging";

    /// <summary>Longest message text, in UTF-16 characters (default 4000); longer is refused with <c>too_large</c>.</summary>
    public int MaxMessageLength { get; set; } = 4000;

    /// <summary>Most participants of a group, the creator included (default 50); more is refused with <c>too_large</c>.</summary>
    public int MaxParticipants { get; set; } = 50;

    /// <summary>Longest group title, in characters (default 200).</summary>
    public int MaxTitleLength { get; set; } = 200;

    /// <summary>Longest client-chosen message id (<c>client_id</c>), in characters (default 100).</summary>
    public int MaxClientIdLength { get; set; } = 100;

    /// <summary>Sustained message sends per user per second, REST and WebSocket together (default 20).</summary>
    public double SendsPerSecond { get; set; } = 20;

    /// <summary>Sends a user may make at once before the rate applies (default 100: a client catching up on an offline queue is not refused); beyond: <c>rate_limited</c> / 429.</summary>
    public int SendBurst { get; set; } = 100;

    /// <summary>Messages per page when the client asks for no <c>limit</c> (default 50).</summary>
    public int DefaultPageSize { get; set; } = 50;

    /// <summary>Largest page a client may ask for (default 100).</summary>
    public int MaxPageSize { get; set; } = 100;

    /// <summary>Largest JSON request body of the messaging REST API, in bytes (default 65536).</summary>
    public int MaxBodyBytes { get; set; } = 65536;

    /// <summary>Problems with these settings, empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        Check(problems, MaxMessageLength, 1, 1_000_000, nameof(MaxMessageLength));
        Check(problems, MaxParticipants, 2, 100_000, nameof(MaxParticipants));
        Check(problems, MaxTitleLength, 1, 10_000, nameof(MaxTitleLength));
        Check(problems, MaxClientIdLength, 1, 1000, nameof(MaxClientIdLength));
        Check(problems, SendBurst, 1, 1_000_000, nameof(SendBurst));
        Check(problems, MaxPageSize, 1, 10_000, nameof(MaxPageSize));
        Check(problems, DefaultPageSize, 1, MaxPageSize, nameof(DefaultPageSize));
        Check(problems, MaxBodyBytes, 1024, 16 * 1024 * 1024, nameof(MaxBodyBytes));
        if (!(SendsPerSecond > 0 && SendsPerSecond <= 1_000_000))
        {
            problems.Add("Messaging:SendsPerSecond must be greater than 0 and at most 1000000.");
        }
        return problems;
    }

    private static void Check(List<string> problems, int value, int min, int max, string name)
    {
        if (value < min || value > max)
        {
            problems.Add($"Messaging:{name} must be between {min} and {max}.");
        }
    }
}
