using System.CommandLine;
using SessionNode.Daemon.Configuration;

namespace SessionNode.Daemon.Commands;

/// <summary>A config file that cannot be used: missing (when given explicitly), unreadable or with invalid values.</summary>
internal sealed class ConfigFileException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Turns a parsed command line (and the config file it names) into <see cref="NodeConfigurationSources"/>.</summary>
internal static class ConfigurationLoader
{
    /// <summary>Reads the config file named by --config-file (or the default one, if present) and collects both layers.</summary>
    /// <exception cref="ConfigFileException">The file is missing, unreadable or holds invalid values.</exception>
    public static NodeConfigurationSources Load(NodeCommandLineOptions options, ParseResult commandLine)
    {
        var warnings = new List<string>();
        var cliSettings = options.ToSettings(commandLine, warnings);

        var explicitPath = commandLine.GetResult(options.ConfigFile) is { Implicit: false } ? commandLine.GetValue(options.ConfigFile) : null;
        var path = explicitPath ?? NodeCommandLineOptions.DefaultConfigFile;
        if (!File.Exists(path))
        {
            // The reference's default file is optional; one named on the command line is not.
            return explicitPath is null
                ? new NodeConfigurationSources { CommandLine = cliSettings, Warnings = warnings }
                : throw new ConfigFileException($"Config file '{explicitPath}' does not exist.");
        }

        path = Path.GetFullPath(path);
        if (path.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
        {
            return new NodeConfigurationSources { JsonFile = path, ConfigFilePath = path, CommandLine = cliSettings, Warnings = warnings };
        }

        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigFileException($"Config file '{path}' cannot be read: {e.Message}", e);
        }

        var fileSettings = ReadReferenceFile(options, path, text, warnings);
        return new NodeConfigurationSources { File = fileSettings, ConfigFilePath = path, CommandLine = cliSettings, Warnings = warnings };
    }

    /// <summary>
    /// Feeds the file's entries through the same option parsers as the command line, so a value
    /// means (and is checked) the same wherever it is written.
    /// </summary>
    private static Dictionary<string, string?> ReadReferenceFile(NodeCommandLineOptions options, string path, string text, List<string> warnings)
    {
        var byName = new Dictionary<string, Option>(StringComparer.OrdinalIgnoreCase);
        foreach (var option in options.All)
        {
            foreach (var name in option.Aliases.Append(option.Name))
            {
                byName[name.TrimStart('-')] = option;
            }
        }

        var tokens = new List<string>();
        var given = new HashSet<Option>();
        string? previousName = null;
        foreach (var entry in ReferenceConfigFile.Parse(text))
        {
            // CLI11 merges consecutive lines of one multi-value option; otherwise an option's first line wins.
            var continues = entry.Name == previousName && entry.Name.Length > 0;
            previousName = entry.Name;
            if (!byName.TryGetValue(entry.Name, out var option))
            {
                warnings.Add($"{path}:{entry.Line}: unknown option '{entry.Name}' ignored.");
                continue;
            }

            if (option == options.ConfigFile)
            {
                warnings.Add($"{path}:{entry.Line}: 'config-file' inside a config file is ignored.");
                continue;
            }

            var multiValue = option.ValueType == typeof(string[]);
            if (!given.Add(option) && !(multiValue && continues))
            {
                warnings.Add($"{path}:{entry.Line}: '{entry.Name}' was already set earlier in the file; this line is ignored.");
                continue;
            }

            if (multiValue)
            {
                foreach (var value in ReferenceConfigFile.SplitValues(entry.Value))
                {
                    tokens.Add("--" + entry.Name);
                    tokens.Add(value);
                }

                continue;
            }

            tokens.Add("--" + entry.Name);
            tokens.Add(option.ValueType == typeof(bool) ? ReferenceConfigFile.NormalizeFlag(entry.Value) : entry.Value);
        }

        var fileCommand = new RootCommand();
        options.AddTo(fileCommand, legacyPositionals: false);
        var result = fileCommand.Parse(tokens);
        if (result.Errors.Count > 0)
        {
            throw new ConfigFileException($"Config file '{path}' is invalid: {string.Join(" ", result.Errors.Select(e => e.Message))}");
        }

        return options.ToSettings(result, warnings);
    }
}
