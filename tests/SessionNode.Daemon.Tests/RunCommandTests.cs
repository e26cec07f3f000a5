using System.Net;
using System.Net.Sockets;
using SessionNode.Testing;

namespace SessionNode.Daemon.Tests;

public sealed class RunCommandTests
{
    [Fact]
    public async Task Run_InvalidPort_ExitsOneWithReason()
    {
        using var temp = new TempDirectory();

        var result = await Cli.RunAsync("run", "--data-dir", temp.Path, "--https-port", "70000", "--log-level", "off");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("startup failed", result.Error);
        Assert.Contains("HttpsPort", result.Error);
    }

    [Fact]
    public async Task Run_MissingConfigFile_ExitsOne()
    {
        using var temp = new TempDirectory();

        var result = await Cli.RunAsync("run", "--config-file", temp.Combine("missing.conf"));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("does not exist", result.Error);
    }

    [Fact]
    public async Task Run_PortInUse_ExitsOne()
    {
        using var temp = new TempDirectory();
        using var occupant = new TcpListener(IPAddress.Loopback, 0);
        occupant.Start();
        var port = ((IPEndPoint)occupant.LocalEndpoint).Port;

        var result = await Cli.RunAsync(
            "run", "--data-dir", temp.Path, "--bind-ip", "127.0.0.1", "--https-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--peer-port", "0", "--admin-port", "0", "--log-level", "off");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("startup failed", result.Error);
    }

    [Fact]
    public void LegacyPositionals_PortArgument_SetsHttpsPortAndIpIsIgnored()
    {
        var options = new Commands.NodeCommandLineOptions();
        var root = new System.CommandLine.RootCommand();
        options.AddTo(root, legacyPositionals: true);
        var warnings = new List<string>();

        var settings = options.ToSettings(root.Parse(["0.0.0.0", "22029"]), warnings);

        Assert.Equal("22029", settings["Node:HttpsPort"]);
        Assert.False(settings.ContainsKey("Node:BindIp"));
        Assert.Equal(2, warnings.Count);
    }

    [Theory]
    [InlineData("http://127.0.0.1:22023", "oxend", "http://127.0.0.1:22023", null)]
    [InlineData("https://oxend.example:443/", "oxend", "https://oxend.example:443/", null)]
    [InlineData("ipc:///var/lib/oxen/oxend.sock", null, null, "ipc:///var/lib/oxen/oxend.sock")] // OxenMQ: ignored with a warning
    [InlineData("tcp://127.0.0.1:22025", null, null, "tcp://127.0.0.1:22025")]
    public void OxendRpc_HttpUrlSelectsOxendMode_OxenMqAddressIsOnlyNoted(string address, string? mode, string? url, string? ignored)
    {
        var options = new Commands.NodeCommandLineOptions();
        var root = new System.CommandLine.RootCommand();
        options.AddTo(root, legacyPositionals: true);

        var settings = options.ToSettings(root.Parse(["--oxend-rpc", address]), []);

        Assert.Equal(mode, settings.GetValueOrDefault("Network:Mode"));
        Assert.Equal(url, settings.GetValueOrDefault("Network:OxendRpcUrl"));
        Assert.Equal(ignored, settings.GetValueOrDefault("Daemon:OxendRpc"));
    }
}
