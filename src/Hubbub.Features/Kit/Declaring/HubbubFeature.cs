namespace Hubbub.Features.Kit.Declaring;

/// <summary>
/// A feature: a folder of domain code plus one class deriving from this that declares everything the host needs —
/// options, migrations, channel namespaces, WebSocket commands, REST endpoints, domain-event and job handlers. The
/// host composes the features with <c>AddHubbubFeatures()</c> and <c>MapHubbubFeatures()</c> and is never edited per
/// feature. See docs/features/README.md.
/// </summary>
public abstract class HubbubFeature
{
    /// <summary>The feature's name: its migrations' key, its OpenAPI tag (lower-case letters, digits, '_', '-', '.').</summary>
    public abstract string Name { get; }

    /// <summary>Declares the feature on <paramref name="feature"/>.</summary>
    public abstract void Declare(FeatureBuilder feature);
}
