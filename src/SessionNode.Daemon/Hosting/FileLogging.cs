using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;

namespace SessionNode.Daemon.Hosting;

/// <summary>
/// The reference's log file (storage.md §8.3, §8.7): every log line, one per line, appended to
/// <c>&lt;data dir&gt;/storage.logs</c>; when a line would take the file past <see cref="MaxFileBytes"/> it
/// becomes <c>storage.1.logs</c> (replacing the previous one) and a new file starts. An existing file
/// is appended to at start (no rotation at open). If the file cannot be opened or written, file logging
/// turns itself off after one message on standard error; the console log goes on. The file is opened
/// on the first line, so a node that never logs (or <c>check-config</c>, which has no file sink)
/// creates nothing. Owns the open file; writes are serialised by a lock.
/// </summary>
internal sealed class FileLoggerProvider : ILoggerProvider
{
    /// <summary>Name of the current log file.</summary>
    public const string FileName = "storage.logs";

    /// <summary>Name of the rotated predecessor.</summary>
    public const string RotatedFileName = "storage.1.logs";

    /// <summary>50 MiB per file, as the reference.</summary>
    public const long MaxFileBytes = 50L * 1024 * 1024;

    private readonly string _directory;
    private readonly long _maxBytes;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private FileStream? _file;
    private bool _failed;
    private bool _disposed;

    public FileLoggerProvider(string directory, TimeProvider time, long maxBytes = MaxFileBytes)
    {
        _directory = directory;
        _time = time;
        _maxBytes = maxBytes;
    }

    public ILogger CreateLogger(string categoryName) => new FileLogger(this, categoryName);

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            _file?.Dispose();
            _file = null;
        }
    }

    private void Write(string category, LogLevel level, string message, Exception? exception)
    {
        var text = new StringBuilder(message.Length + 96)
            .Append(_time.GetUtcNow().ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture))
            .Append(" [").Append(LevelName(level)).Append("] ")
            .Append(category).Append(": ")
            .Append(message);
        if (exception is not null)
        {
            text.Append(' ').Append(exception.ToString().ReplaceLineEndings(" | "));
        }

        var bytes = Encoding.UTF8.GetBytes(text.Append('\n').ToString());
        lock (_lock)
        {
            if (_failed || _disposed)
            {
                return;
            }

            try
            {
                _file ??= Open();
                if (_file.Length > 0 && _file.Length + bytes.Length > _maxBytes)
                {
                    _file.Dispose();
                    _file = null;
                    File.Move(Path.Combine(_directory, FileName), Path.Combine(_directory, RotatedFileName), overwrite: true);
                    _file = Open();
                }

                _file.Write(bytes);
                _file.Flush();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                _failed = true;
                _file?.Dispose();
                _file = null;
                Console.Error.WriteLine($"sessionnode: file logging to {Path.Combine(_directory, FileName)} disabled: {e.Message}");
            }
        }
    }

    private FileStream Open()
    {
        var options = new FileStreamOptions { Mode = FileMode.Append, Access = FileAccess.Write, Share = FileShare.Read };
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(_directory);
        }
        else
        {
            // A line logged before the host created the data folder creates it, owner-only as the host does.
            Directory.CreateDirectory(_directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            // Logs can name accounts (truncated) and peers: owner-only, like the rest of the data folder.
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        return new FileStream(Path.Combine(_directory, FileName), options);
    }

    private static string LevelName(LogLevel level) => level switch
    {
        LogLevel.Trace => "trace",
        LogLevel.Debug => "debug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warning",
        LogLevel.Error => "error",
        _ => "critical",
    };

    private sealed class FileLogger(FileLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                provider.Write(category, logLevel, formatter(state, exception), exception);
            }
        }
    }
}
