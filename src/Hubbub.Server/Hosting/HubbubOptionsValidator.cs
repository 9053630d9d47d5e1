using Hubbub.Core;
using Microsoft.Extensions.Options;

namespace Hubbub.Server.Hosting;

/// <summary>Refuses to start with invalid <c>Hubbub:*</c> settings, naming each one.</summary>
public sealed class HubbubOptionsValidator : IValidateOptions<HubbubOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, HubbubOptions options)
    {
        var errors = options.Validate();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
