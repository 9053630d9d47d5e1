namespace Hubbub.Features.Kit.Declaring;

/// <summary>A feature's options: bound from their configuration section and validated when the server starts.</summary>
public interface IFeatureOptions
{
    /// <summary>Problems with these settings (each naming its setting), empty when valid.</summary>
    IReadOnlyList<string> Validate();
}
