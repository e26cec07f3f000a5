using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using SessionNode.Testing;

namespace SessionNode.Daemon.Tests;

public sealed class DataDirTests
{
    [Fact]
    public async Task FirstStart_EmptyDataDir_CreatesKeyCertificateAndStore()
    {
        using var temp = new TempDirectory();
        var dataDir = temp.Combine("node", "data"); // nested and missing: the node creates it

        await using (await TestNode.StartAsync(new TestNodeOptions { DataDir = dataDir }, TestContext.Current.CancellationToken))
        {
            Assert.True(File.Exists(Path.Combine(dataDir, "key_ed25519")));
            Assert.Equal(32, new FileInfo(Path.Combine(dataDir, "key_ed25519")).Length);
            Assert.True(File.Exists(Path.Combine(dataDir, "cert.pem")));
            Assert.True(File.Exists(Path.Combine(dataDir, "key.pem")));
            Assert.True(Directory.Exists(Path.Combine(dataDir, "storage.db")));
        }

        if (!OperatingSystem.IsWindows())
        {
            const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            Assert.Equal(OwnerOnly, File.GetUnixFileMode(Path.Combine(dataDir, "key_ed25519")));
            Assert.Equal(OwnerOnly, File.GetUnixFileMode(Path.Combine(dataDir, "key.pem")));
            Assert.Equal(OwnerOnly | UnixFileMode.UserExecute, File.GetUnixFileMode(dataDir));
        }
    }

    [Fact]
    public async Task SecondStart_SameDataDir_ReusesKeyAndCertificate()
    {
        using var temp = new TempDirectory();
        var options = new TestNodeOptions { DataDir = temp.Path };

        string firstKey;
        byte[] firstCertificate;
        await using (var first = await TestNode.StartAsync(options, TestContext.Current.CancellationToken))
        {
            firstKey = first.PublicKeyHex;
            firstCertificate = await File.ReadAllBytesAsync(Path.Combine(temp.Path, "cert.pem"), TestContext.Current.CancellationToken);
        }

        await using var second = await TestNode.StartAsync(options, TestContext.Current.CancellationToken);

        Assert.Equal(firstKey, second.PublicKeyHex);
        Assert.Equal(firstCertificate, await File.ReadAllBytesAsync(Path.Combine(temp.Path, "cert.pem"), TestContext.Current.CancellationToken));
        using var client = second.CreateHttpClient(); // pins the certificate the node actually serves
        using var response = await client.GetAsync(new Uri("/health", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode);
    }

    [Fact]
    public async Task Certificate_FirstStart_MatchesReferenceParameters()
    {
        var clock = TestClock.Create();
        await using var node = await TestNode.StartAsync(new TestNodeOptions { Clock = clock }, TestContext.Current.CancellationToken);

        using var certificate = X509Certificate2.CreateFromPemFile(Path.Combine(node.DataDir, "cert.pem"), Path.Combine(node.DataDir, "key.pem"));

        Assert.Equal(certificate.SubjectName.RawData, certificate.IssuerName.RawData);
        // Encoded in the reference's order: C, CN, O.
        Assert.Equal(
            [("2.5.4.6", "AU"), ("2.5.4.3", "localhost"), ("2.5.4.10", "Oxen")],
            certificate.SubjectName.EnumerateRelativeDistinguishedNames(reversed: false)
                .Select(rdn => (rdn.GetSingleElementType().Value, rdn.GetSingleElementValue())));
        Assert.Equal("01", certificate.SerialNumber);
        Assert.Equal("1.2.840.113549.1.1.11", certificate.SignatureAlgorithm.Value); // sha256WithRSAEncryption
        using var rsa = certificate.GetRSAPublicKey();
        Assert.Equal(2048, rsa!.KeySize);
        Assert.Equal(TestClock.Start, new DateTimeOffset(certificate.NotBefore.ToUniversalTime()));
        Assert.Equal(TestClock.Start.AddDays(10_000), new DateTimeOffset(certificate.NotAfter.ToUniversalTime()));
        Assert.True(certificate.HasPrivateKey);
        Assert.Single(certificate.Extensions.OfType<X509SubjectKeyIdentifierExtension>());
    }

    [Fact]
    public async Task NodeKey_PublicKeyHex_MatchesKeyFile()
    {
        await using var node = await TestNode.StartAsync(cancellationToken: TestContext.Current.CancellationToken);

        var seed = await File.ReadAllBytesAsync(Path.Combine(node.DataDir, "key_ed25519"), TestContext.Current.CancellationToken);
        using var fromFile = Crypto.Ed25519KeyPair.FromSeed(seed);
        CryptographicOperations.ZeroMemory(seed);

        Assert.Equal(fromFile.PublicKeyHex, node.PublicKeyHex);
    }

    [Fact]
    public async Task Dispose_OwnedDataDir_IsDeleted()
    {
        var node = await TestNode.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        var dataDir = node.DataDir;

        await node.DisposeAsync();

        Assert.False(Directory.Exists(dataDir));
    }
}
