namespace SessionNode.Daemon.Configuration;

/// <summary>
/// The configuration layers the front end hands to <see cref="Hosting.SessionNodeHost"/>, lowest
/// precedence first: defaults (option initializers), <see cref="JsonFile"/> or <see cref="File"/>,
/// environment (<c>SESSIONNODE__Section__Key</c>), <see cref="CommandLine"/>.
/// </summary>
public sealed class NodeConfigurationSources
{
    /// <summary>An appsettings-style JSON file (sections as objects), or null.</summary>
    public string? JsonFile { get; init; }

    /// <summary>Settings read from a reference-format config file (<c>name=value</c> lines), as configuration keys.</summary>
    public IReadOnlyDictionary<string, string?> File { get; init; } = new Dictionary<string, string?>();

    /// <summary>Settings given on the command line (or by a test), as configuration keys. Highest precedence.</summary>
    public IReadOnlyDictionary<string, string?> CommandLine { get; init; } = new Dictionary<string, string?>();

    /// <summary>Where the config file came from, for the startup log; null when none was read.</summary>
    public string? ConfigFilePath { get; init; }

    /// <summary>Problems found while reading the sources that do not stop the node (unknown keys, ignored options).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
}
