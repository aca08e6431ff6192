using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Crm.IntegrationTests.Email;

/// <summary>A certificate authority made by the test, and a server certificate it signed for 127.0.0.1, as PEM files.</summary>
public sealed class TestCa : IDisposable
{
    private TestCa(string directory, X509Certificate2 server)
    {
        Directory = directory;
        Server = server;
    }

    public string Directory { get; }

    /// <summary>The CA certificate (PEM): what the accounts' CaCertificateFile names.</summary>
    public string CaFile => Path.Combine(Directory, "ca.pem");

    /// <summary>The server certificate (PEM) and its key (PEM), for Dovecot.</summary>
    public string ServerCertFile => Path.Combine(Directory, "server.pem");

    public string ServerKeyFile => Path.Combine(Directory, "server.key");

    /// <summary>The server certificate with its key, for Kestrel.</summary>
    public X509Certificate2 Server { get; }

    public static TestCa Create()
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("crm-ca-").FullName;
        using var caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest("CN=Crm Test CA", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        var now = DateTimeOffset.UtcNow;
        using var ca = caRequest.CreateSelfSigned(now.AddHours(-1), now.AddDays(2));

        using var serverKey = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", serverKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddDnsName("localhost");
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var signed = request.Create(ca, now.AddHours(-1), now.AddDays(1), RandomNumberGenerator.GetBytes(8));
        var server = signed.CopyWithPrivateKey(serverKey);

        File.WriteAllText(Path.Combine(directory, "ca.pem"), ca.ExportCertificatePem());
        File.WriteAllText(Path.Combine(directory, "server.pem"), server.ExportCertificatePem());
        File.WriteAllText(Path.Combine(directory, "server.key"), serverKey.ExportPkcs8PrivateKeyPem());
        // Kestrel on Linux wants a certificate whose key it can use for TLS: a PKCS#12 round trip gives one.
        var usable = X509CertificateLoader.LoadPkcs12(server.Export(X509ContentType.Pkcs12), null);
        server.Dispose();
        return new TestCa(directory, usable);
    }

    /// <summary>A file only the owner can read, as secrets must be.</summary>
    public string WriteSecret(string name, string content)
    {
        var path = Path.Combine(Directory, name);
        File.WriteAllText(path, content);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return path;
    }

    public void Dispose()
    {
        Server.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
