using System.Net;
using Microsoft.Extensions.Options;

namespace SessionNode.Rpc;

/// <summary>Validates <see cref="RpcOptions"/> at start.</summary>
internal sealed class RpcOptionsValidator : IValidateOptions<RpcOptions>
{
    public ValidateOptionsResult Validate(string? name, RpcOptions options)
    {
        var errors = new List<string>();
        if (options.HardForkMajor is < 0 or > 255 || options.HardForkMinor is < 0 or > 255)
        {
            errors.Add("Rpc:HardForkMajor/HardForkMinor must be between 0 and 255.");
        }

        if (options.Height < 0)
        {
            errors.Add("Rpc:Height must not be negative.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

/// <summary>Validates <see cref="NodeOptions"/> at start.</summary>
internal sealed class NodeOptionsValidator : IValidateOptions<NodeOptions>
{
    public ValidateOptionsResult Validate(string? name, NodeOptions options)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.DataDir))
        {
            errors.Add("Node:DataDir must not be empty.");
        }

        if (!IPAddress.TryParse(options.BindIp, out _))
        {
            errors.Add($"Node:BindIp '{options.BindIp}' is not an IP address.");
        }

        if (options.PublicIp.Length > 0 && (!IPAddress.TryParse(options.PublicIp, out var pub) || pub.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork))
        {
            errors.Add($"Node:PublicIp '{options.PublicIp}' is not an IPv4 address.");
        }

        if (options.HttpsPort is < 0 or > 65535)
        {
            errors.Add($"Node:HttpsPort {options.HttpsPort} is not a port number (0-65535).");
        }

        if (options.PeerPort is < 0 or > 65535)
        {
            errors.Add($"Node:PeerPort {options.PeerPort} is not a port number (0-65535).");
        }

        if (options.AdminPort > 65535)
        {
            errors.Add($"Node:AdminPort {options.AdminPort} is not a port number (0-65535, or negative to disable).");
        }

        if (options.AdminPort > 0 && (options.AdminPort == options.HttpsPort || options.AdminPort == options.PeerPort))
        {
            errors.Add("Node:AdminPort must differ from Node:HttpsPort and Node:PeerPort.");
        }

        if (options.PeerPort != 0 && options.PeerPort == options.HttpsPort)
        {
            errors.Add("Node:PeerPort must differ from Node:HttpsPort (the peer listener is a separate HTTP/2 gRPC listener).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
