using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace SessionNode.Onion;

/// <summary>An exit layer's target as read from its JSON (onion.md §9.1, defaults applied).</summary>
public sealed record OnionProxyTarget(string Host, string Target, int Port, string Protocol);

/// <summary>URL allow-list and URL construction for exit proxying (onion.md §9.2, §9.3). Stateless.</summary>
public static class OnionProxyTargets
{
    /// <summary>Default port when the JSON has none: 443 even for http (onion.md §9.1 quirk).</summary>
    public const int DefaultPort = 443;

    /// <summary>Default protocol.</summary>
    public const string DefaultProtocol = "https";

    /// <summary>True iff <paramref name="target"/> starts with <c>/loki/</c> or <c>/oxen/</c>, ends with <c>/lsrpc</c> and has no <c>?</c>.</summary>
    public static bool IsAllowedTarget(string target) =>
        (target.StartsWith("/loki/", StringComparison.Ordinal) || target.StartsWith("/oxen/", StringComparison.Ordinal))
        && target.EndsWith("/lsrpc", StringComparison.Ordinal)
        && !target.Contains('?', StringComparison.Ordinal);

    /// <summary>True iff the protocol is exactly <c>http</c> or <c>https</c>.</summary>
    public static bool IsAllowedProtocol(string protocol) => protocol is "http" or "https";

    /// <summary>
    /// True when <paramref name="host"/> is a loopback, link-local, RFC 1918, CGNAT, unspecified or ULA address
    /// literal, or <c>localhost</c> (onion.md §9.2 decision). Host names are not resolved here; the proxy
    /// implementation re-checks the connected address.
    /// </summary>
    public static bool IsPrivateHost(string host)
    {
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        var literal = host.Length > 2 && host[0] == '[' && host[^1] == ']' ? host[1..^1] : host;
        return IPAddress.TryParse(literal, out var address) && IsPrivateAddress(address);
    }

    /// <summary>True for addresses an exit must not reach by default (see <see cref="IsPrivateHost"/>).</summary>
    public static bool IsPrivateAddress(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (IPAddress.IsLoopback(address))
        {
            return true;
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            Span<byte> b = stackalloc byte[4];
            address.TryWriteBytes(b, out _);
            return b[0] == 0 || b[0] == 10 || (b[0] == 172 && (b[1] & 0xF0) == 16) || (b[0] == 192 && b[1] == 168)
                || (b[0] == 169 && b[1] == 254) || (b[0] == 100 && (b[1] & 0xC0) == 64) || b[0] >= 224;
        }

        return address.Equals(IPAddress.IPv6Any) || address.IsIPv6LinkLocal || address.IsIPv6SiteLocal
            || address.IsIPv6UniqueLocal || address.IsIPv6Multicast;
    }

    /// <summary>
    /// <c>protocol + "://" + host + (":" + port unless it is the protocol's default) + target</c>; a <c>/</c>
    /// is inserted if the target lacks one. IPv6 literals are not bracketed (reference behaviour, §9.3).
    /// </summary>
    public static string BuildUrl(string protocol, string host, int port, string target)
    {
        var defaultPort = protocol == "http" ? 80 : 443;
        var portPart = port == defaultPort ? string.Empty : ":" + port.ToString(CultureInfo.InvariantCulture);
        var slash = target.StartsWith('/') ? string.Empty : "/";
        return protocol + "://" + host + portPart + slash + target;
    }
}
