namespace Hubbub.Server.Access;

/// <summary>Who may subscribe to (or publish on) the channels of a namespace a deployment declares in configuration.</summary>
public enum AccessRule
{
    /// <summary>No client (the server API and features still publish).</summary>
    Nobody,

    /// <summary>Any signed-in user.</summary>
    Anyone,

    /// <summary>Users whose token's (or connect proxy's) <c>channels</c> names or matches the channel.</summary>
    Claims,

    /// <summary>Users the app's backend allows, asked through the subscribe (or publish) proxy.</summary>
    Proxy,

    /// <summary>Users the <c>channels</c> claim grants; for the others, the proxy decides.</summary>
    ClaimsOrProxy,
}
