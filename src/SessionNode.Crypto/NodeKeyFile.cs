using System.Security.Cryptography;

namespace SessionNode.Crypto;

/// <summary>
/// The node identity key file: exactly the 32-byte Ed25519 seed, raw. Created on first start with
/// owner-only permissions (0600 on Unix). Its contents are never logged or put in exception text.
/// </summary>
public static class NodeKeyFile
{
    /// <summary>Owner read/write only.</summary>
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>
    /// Loads the seed at <paramref name="path"/>, or, if no file exists, creates one from a fresh random
    /// seed (the parent directory is created as well; the file is written under a temporary name, flushed
    /// to disk and renamed, so a crash never leaves a short key file). Throws
    /// <see cref="InvalidDataException"/> if the file exists with a size other than 32 bytes.
    /// </summary>
    public static Ed25519KeyPair LoadOrCreate(string path, out bool created)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        path = Path.GetFullPath(path);
        if (File.Exists(path))
        {
            created = false;
            return Load(path);
        }

        var pair = Ed25519KeyPair.Generate();
        try
        {
            Write(path, pair);
        }
        catch
        {
            pair.Dispose();
            throw;
        }

        created = true;
        return pair;
    }

    private static Ed25519KeyPair Load(string path)
    {
        Span<byte> seed = stackalloc byte[Ed25519.SeedSize];
        try
        {
            using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0))
            {
                if (stream.Length != Ed25519.SeedSize)
                {
                    throw new InvalidDataException(
                        $"Node key file '{path}' is {stream.Length} bytes; it must hold exactly the 32-byte raw Ed25519 seed. " +
                        "Restore the correct file, or move it away to let the node create a new identity.");
                }

                stream.ReadExactly(seed);
            }

            return Ed25519KeyPair.FromSeed(seed);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
        }
    }

    private static void Write(string path, Ed25519KeyPair pair)
    {
        var directory = Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(directory) && !Directory.Exists(directory))
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(directory);
            }
            else
            {
                Directory.CreateDirectory(directory, OwnerOnly | UnixFileMode.UserExecute);
            }
        }

        var temporary = path + ".tmp";
        File.Delete(temporary); // a leftover from a crash; its permissions must not be inherited

        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.None,
            BufferSize = 0,
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerOnly;
        }

        Span<byte> seed = stackalloc byte[Ed25519.SeedSize];
        try
        {
            pair.CopySeedTo(seed);
            using (var stream = new FileStream(temporary, options))
            {
                stream.Write(seed);
                stream.Flush(flushToDisk: true);
            }

            // No overwrite: if another process created the key meanwhile, fail rather than replace it.
            File.Move(temporary, path, overwrite: false);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
        }
    }
}
