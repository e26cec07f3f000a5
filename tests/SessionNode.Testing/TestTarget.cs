namespace SessionNode.Testing;

/// <summary>Which node the integration suite drives (STYLE.md §9, KurrentDB's NodeShim).</summary>
public enum TestTargetKind
{
    /// <summary>Real nodes started in this process on a shared fake clock (the default).</summary>
    InProcess,

    /// <summary>The first node of the docker/ compose swarm (https://127.0.0.1:22021 unless SESSIONNODE_TEST_URL says otherwise).</summary>
    Docker,

    /// <summary>A running node at SESSIONNODE_TEST_URL: a <c>sessionnode run</c> node or the reference server.</summary>
    External,
}

/// <summary>
/// The target chosen by <c>SESSIONNODE_TEST_TARGET=inproc|docker|external</c> (default inproc) and, for the remote
/// targets, the node's address from <c>SESSIONNODE_TEST_URL</c>. A remote node runs on its own real clock, keeps its
/// data between tests and is reached over HTTPS with its self-signed certificate accepted.
/// </summary>
public static class TestTarget
{
    /// <summary>Selects the target: <c>inproc</c> (default), <c>docker</c> or <c>external</c>.</summary>
    public const string TargetVariable = "SESSIONNODE_TEST_TARGET";

    /// <summary>The remote node's HTTPS address, e.g. <c>https://127.0.0.1:22021</c>; required for <c>external</c>.</summary>
    public const string UrlVariable = "SESSIONNODE_TEST_URL";

    /// <summary>The client port docker/compose.yml publishes for its first node.</summary>
    public static readonly Uri DockerFirstNode = new("https://127.0.0.1:22021/");

    private static readonly Lazy<(TestTargetKind Kind, Uri? Url)> Parsed = new(() => Parse(
        Environment.GetEnvironmentVariable(TargetVariable),
        Environment.GetEnvironmentVariable(UrlVariable)));

    /// <summary>The target of this test run.</summary>
    public static TestTargetKind Kind => Parsed.Value.Kind;

    /// <summary>True when the suite drives a node it did not start (docker or external).</summary>
    public static bool IsRemote => Kind != TestTargetKind.InProcess;

    /// <summary>The remote node's base address (ends in '/'); null in process.</summary>
    public static Uri? RemoteAddress => Parsed.Value.Url;

    /// <summary>The variable's value as the user would write it, for skip messages.</summary>
    public static string Name => Kind switch
    {
        TestTargetKind.Docker => "docker",
        TestTargetKind.External => "external",
        _ => "inproc",
    };

    /// <summary>Parses the two variables; throws <see cref="InvalidOperationException"/> on a bad value (never a silent in-process run).</summary>
    public static (TestTargetKind Kind, Uri? Url) Parse(string? target, string? url)
    {
        var kind = target?.Trim().ToUpperInvariant() switch
        {
            null or "" or "INPROC" => TestTargetKind.InProcess,
            "DOCKER" => TestTargetKind.Docker,
            "EXTERNAL" => TestTargetKind.External,
            _ => throw new InvalidOperationException($"{TargetVariable}='{target}': expected inproc, docker or external"),
        };
        if (kind == TestTargetKind.InProcess)
        {
            return (kind, null);
        }

        if (string.IsNullOrWhiteSpace(url))
        {
            return kind == TestTargetKind.Docker
                ? (kind, DockerFirstNode)
                : throw new InvalidOperationException($"{TargetVariable}=external needs {UrlVariable}, e.g. https://127.0.0.1:22021");
        }

        if (!Uri.TryCreate(url.Trim(), UriKind.Absolute, out var parsed) || parsed.Scheme != Uri.UriSchemeHttps)
        {
            throw new InvalidOperationException($"{UrlVariable}='{url}': expected an https:// address");
        }

        return (kind, new Uri(parsed.GetLeftPart(UriPartial.Authority) + "/"));
    }
}
