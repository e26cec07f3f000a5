using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace SessionNode.Daemon.Hosting;

/// <summary>
/// The HTTPS certificate the reference generates (storage.md §8.5): self-signed RSA-2048, SHA-256,
/// serial 1, subject = issuer = <c>C=AU, CN=localhost, O=Oxen</c>, valid 10 000 days, with a subject
/// key identifier. Clients do not validate it; it exists because TLS needs one.
/// </summary>
internal static class SelfSignedCertificate
{
    /// <summary>Validity of a new certificate: the reference's 10 000 days (never rotated).</summary>
    public const int ValidityDays = 10_000;

    /// <summary>RSA key size of the reference's certificate.</summary>
    private const int RsaKeyBits = 2048;

    /// <summary>Loads the PEM pair, or creates both files when either is missing (as the reference does).</summary>
    public static X509Certificate2 LoadOrCreate(string certificatePath, string keyPath, DateTimeOffset now, out bool created)
    {
        if (File.Exists(certificatePath) && File.Exists(keyPath))
        {
            created = false;
            return X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
        }

        using var rsa = RSA.Create(RsaKeyBits);
        var certificate = Create(rsa, now);
        try
        {
            // Key first, certificate last: a crash in between leaves the certificate missing, and
            // the next start regenerates both.
            WriteOwnerOnly(keyPath, rsa.ExportPkcs8PrivateKeyPem());
            WriteOwnerOnly(certificatePath, certificate.ExportCertificatePem());
        }
        catch
        {
            certificate.Dispose();
            throw;
        }

        created = true;
        return certificate;
    }

    /// <summary>Builds the certificate (with its private key) for <paramref name="rsa"/>, valid from <paramref name="now"/>.</summary>
    public static X509Certificate2 Create(RSA rsa, DateTimeOffset now)
    {
        // The builder encodes the last added RDN first: this encodes C, CN, O, the reference's order.
        var name = new X500DistinguishedNameBuilder();
        name.AddOrganizationName("Oxen");
        name.AddCommonName("localhost");
        name.AddCountryOrRegion("AU");
        var subject = name.Build();

        var request = new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        using var unsigned = request.Create(subject, X509SignatureGenerator.CreateForRSA(rsa, RSASignaturePadding.Pkcs1), now, now.AddDays(ValidityDays), [1]);
        return unsigned.CopyWithPrivateKey(rsa);
    }

    private static void WriteOwnerOnly(string path, string pem)
    {
        var temporary = path + ".tmp";
        File.Delete(temporary);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(temporary, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(pem);
            writer.Write('\n');
        }

        File.Move(temporary, path, overwrite: true);
    }
}
