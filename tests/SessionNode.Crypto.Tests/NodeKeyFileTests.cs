namespace SessionNode.Crypto.Tests;

public sealed class NodeKeyFileTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "sessionnode-keyfile-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public void LoadOrCreate_NoFile_CreatesOwnerOnly32ByteSeed()
    {
        var path = Path.Combine(_directory, "nested", "key_ed25519");
        using var key = NodeKeyFile.LoadOrCreate(path, out var created);

        Assert.True(created);
        var bytes = File.ReadAllBytes(path);
        Assert.Equal(32, bytes.Length);
        var seed = new byte[32];
        key.CopySeedTo(seed);
        Assert.Equal(seed, bytes);
        Assert.False(File.Exists(path + ".tmp"));

        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
    }

    [Fact]
    public void LoadOrCreate_ExistingFile_ReloadsSameKey()
    {
        var path = Path.Combine(_directory, "key");
        using var first = NodeKeyFile.LoadOrCreate(path, out var created);
        using var second = NodeKeyFile.LoadOrCreate(path, out var createdAgain);

        Assert.True(created);
        Assert.False(createdAgain);
        Assert.Equal(first.PublicKeyHex, second.PublicKeyHex);
    }

    [Fact]
    public void LoadOrCreate_KnownSeed_LoadsThatIdentity()
    {
        Directory.CreateDirectory(_directory);
        var path = Path.Combine(_directory, "key");
        File.WriteAllBytes(path, Bytes.Repeat(0x42, 32));

        using var key = NodeKeyFile.LoadOrCreate(path, out var created);
        Assert.False(created);
        Assert.Equal("2152f8d19b791d24453242e15f2eab6cb7cffa7b6a5ed30097960e069881db12", key.PublicKeyHex);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(31)]
    [InlineData(33)]
    [InlineData(64)]
    public void LoadOrCreate_WrongSize_ThrowsClearErrorAndKeepsFile(int size)
    {
        Directory.CreateDirectory(_directory);
        var path = Path.Combine(_directory, "key");
        var contents = Bytes.Repeat(0x42, size);
        File.WriteAllBytes(path, contents);

        var error = Assert.Throws<InvalidDataException>(() => NodeKeyFile.LoadOrCreate(path, out _));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains($"{size} bytes", error.Message, StringComparison.Ordinal);
        Assert.Contains("32-byte", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("4242", error.Message, StringComparison.Ordinal);
        Assert.Equal(contents, File.ReadAllBytes(path));
    }

    [Fact]
    public void LoadOrCreate_StaleTemporaryFile_IsReplaced()
    {
        Directory.CreateDirectory(_directory);
        var path = Path.Combine(_directory, "key");
        File.WriteAllBytes(path + ".tmp", [1, 2, 3]);

        using var key = NodeKeyFile.LoadOrCreate(path, out var created);
        Assert.True(created);
        Assert.Equal(32, new FileInfo(path).Length);
        Assert.False(File.Exists(path + ".tmp"));
    }
}
