namespace SessionNode.Daemon.Configuration;

/// <summary>One <c>name=value</c> entry of a reference-format config file.</summary>
/// <param name="Line">1-based line number.</param>
/// <param name="Name">Long option name without dashes, lower case.</param>
/// <param name="Value">Value with surrounding whitespace and quotes removed; "true" for a bare flag name.</param>
public readonly record struct ConfigFileEntry(int Line, string Name, string Value);

/// <summary>
/// Reads the reference's CLI11 config format (storage.md §8.2): one <c>name=value</c> per line,
/// long option names without dashes, <c>#</c> or <c>;</c> comment lines, <c>#</c> inline comments, flags as
/// <c>1</c>/<c>true</c>.
/// </summary>
public static class ReferenceConfigFile
{
    /// <summary>Parses the text of a config file. Section headers (<c>[name]</c>) are skipped.</summary>
    public static IReadOnlyList<ConfigFileEntry> Parse(string text)
    {
        var entries = new List<ConfigFileEntry>();
        var lineNumber = 0;
        foreach (var rawLine in text.Split('\n'))
        {
            lineNumber++;
            var line = rawLine.Trim();
            if (line.Length == 0 || line[0] is '#' or ';' || (line[0] == '[' && line[^1] == ']'))
            {
                continue;
            }

            var eq = line.IndexOf('=', StringComparison.Ordinal);
            var name = StripComment(eq < 0 ? line : line[..eq]).ToLowerInvariant();
            var value = eq < 0 ? "true" : Unquote(StripComment(line[(eq + 1)..]));
            entries.Add(new ConfigFileEntry(lineNumber, name, value));
        }

        return entries;
    }

    /// <summary>Maps the reference's flag spellings to "true"/"false"; other values are returned unchanged.</summary>
    public static string NormalizeFlag(string value) => value.ToLowerInvariant() switch
    {
        "1" or "true" or "yes" or "on" => "true",
        "0" or "false" or "no" or "off" => "false",
        _ => value,
    };

    /// <summary>
    /// The values of a multi-value option's entry, as CLI11 splits them: <c>[a,b]</c>, <c>a,b</c> or
    /// <c>a b</c>; each value trimmed and unquoted, empty ones dropped.
    /// </summary>
    public static IReadOnlyList<string> SplitValues(string value)
    {
        var inner = value.Length >= 2 && value[0] == '[' && value[^1] == ']' ? value[1..^1] : value;
        var parts = inner.Contains(',', StringComparison.Ordinal)
            ? inner.Split(',')
            : inner.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        return [.. parts.Select(p => Unquote(p.Trim())).Where(p => p.Length > 0)];
    }

    /// <summary>CLI11 cuts a value (or a bare flag name) at the first <c>#</c>: an inline comment.</summary>
    private static string StripComment(string text)
    {
        var hash = text.IndexOf('#', StringComparison.Ordinal);
        return (hash < 0 ? text : text[..hash]).Trim();
    }

    private static string Unquote(string value) =>
        value.Length >= 2 && value[0] == value[^1] && value[0] is '"' or '\'' ? value[1..^1] : value;
}
