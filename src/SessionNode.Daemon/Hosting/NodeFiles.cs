using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SessionNode.Crypto;
using SessionNode.Rpc;

namespace SessionNode.Daemon.Hosting;

/// <summary>
/// The node's own files in the data folder: the identity key (<c>key_ed25519</c>) and the HTTPS
/// certificate (<c>cert.pem</c>, <c>key.pem</c>). Each is loaded, or created on first start, once.
/// </summary>
internal sealed partial class NodeFiles : IDisposable
{
    public const string KeyFileName = "key_ed25519";
    public const string CertificateFileName = "cert.pem";
    public const string CertificateKeyFileName = "key.pem";

    private readonly IOptions<NodeOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lazy<X509Certificate2> _certificate;

    public NodeFiles(IOptions<NodeOptions> options, TimeProvider time, ILogger<NodeFiles> logger)
    {
        // Options are read on first use, not here: the server (which needs this) is created while
        // the app is built, before the host validates options on start.
        _options = options;
        _time = time;
        _logger = logger;
        _certificate = new Lazy<X509Certificate2>(LoadCertificate);
    }

    /// <summary>Absolute path of the data folder.</summary>
    public string DataDir => Path.GetFullPath(_options.Value.DataDir);

    /// <summary>The HTTPS certificate with its private key.</summary>
    public X509Certificate2 Certificate => _certificate.Value;

    /// <summary>Creates the data folder (owner-only on Unix) if it does not exist.</summary>
    public void EnsureDataDir()
    {
        if (Directory.Exists(DataDir))
        {
            return;
        }

        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(DataDir);
        }
        else
        {
            Directory.CreateDirectory(DataDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        LogDataDirCreated(DataDir);
    }

    /// <summary>Loads the identity key, creating it on first start. The DI container owns (and disposes) the result.</summary>
    public Ed25519KeyPair LoadKey()
    {
        EnsureDataDir();
        var path = Path.Combine(DataDir, KeyFileName);
        var key = NodeKeyFile.LoadOrCreate(path, out var created);
        if (_logger.IsEnabled(LogLevel.Information))
        {
            using var x25519 = key.ToX25519();
            var x25519Hex = Convert.ToHexStringLower(x25519.PublicKey);
            // storage.md §8.4 step 3: the keys and the node's .snode address (base32z of the Ed25519 key).
            var address = SessionNode.Protocol.ZBase32.Encode(key.PublicKey) + ".snode";
            LogNodeKey(created ? "Created" : "Loaded", path, key.PublicKeyHex, x25519Hex, address);
        }

        return key;
    }

    public void Dispose()
    {
        if (_certificate.IsValueCreated)
        {
            _certificate.Value.Dispose();
        }
    }

    private X509Certificate2 LoadCertificate()
    {
        EnsureDataDir();
        var path = Path.Combine(DataDir, CertificateFileName);
        var certificate = SelfSignedCertificate.LoadOrCreate(path, Path.Combine(DataDir, CertificateKeyFileName), _time.GetUtcNow(), out var created);
        LogCertificate(created ? "Created" : "Loaded", path, certificate.Thumbprint);
        return certificate;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Created data folder {DataDir}")]
    private partial void LogDataDirCreated(string dataDir);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Action} node key {Path}: Ed25519 public key {Ed25519PublicKey}, X25519 public key {X25519PublicKey}, address {Address}")]
    private partial void LogNodeKey(string action, string path, string ed25519PublicKey, string x25519PublicKey, string address);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Action} HTTPS certificate {Path} (SHA-1 thumbprint {Thumbprint})")]
    private partial void LogCertificate(string action, string path, string thumbprint);
}
