using Microsoft.Extensions.Options;

namespace Hubbub.Redis;

/// <summary>Fails start-up with every problem of <see cref="RedisOptions"/> spelled out.</summary>
public sealed class RedisOptionsValidator : IValidateOptions<RedisOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, RedisOptions options)
    {
        var errors = options.Validate();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
