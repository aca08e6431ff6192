using System.Diagnostics;

namespace Crm.IntegrationTests.Operations;

/// <summary>
/// A report outbox on a full disk. As root (CI and this machine): a 2 MiB tmpfs mounted on the folder and
/// filled to the last byte, so writes fail with ENOSPC exactly as on a full volume. Without the right to
/// mount: a read-only folder instead (writes fail with "access denied"), which exercises the same path.
/// </summary>
internal sealed class FullOutbox : IAsyncDisposable
{
    public const string FillerName = "filler.bin";

    private readonly bool _mounted;

    private FullOutbox(string path, bool mounted)
    {
        Path = path;
        _mounted = mounted;
    }

    public string Path { get; }

    /// <summary>What the operating system says when the report cannot be written here.</summary>
    public string ExpectedError => _mounted ? "No space left on device" : "Access to the path";

    public static async Task<FullOutbox> CreateAsync(string path)
    {
        Directory.CreateDirectory(path);
        var mounted = Environment.UserName == "root" && await RunAsync("mount", "-t", "tmpfs", "-o", "size=2m,mode=0755", "crm-full-outbox", path) == 0;
        var outbox = new FullOutbox(path, mounted);
        if (mounted)
        {
            // Fill the tmpfs completely.
            // Unbuffered, so nothing is left to flush (and fail) at dispose.
            await using var filler = new FileStream(System.IO.Path.Combine(path, FillerName), FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0);
            var chunk = new byte[64 * 1024];
            try
            {
                while (true)
                {
                    await filler.WriteAsync(chunk);
                }
            }
            catch (IOException)
            {
            }
        }
        else
        {
            await File.WriteAllTextAsync(System.IO.Path.Combine(path, FillerName), "read-only outbox");
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        }

        return outbox;
    }

    /// <summary>The operator frees space (or fixes the permissions).</summary>
    public void FreeSpace()
    {
        if (_mounted)
        {
            File.Delete(System.IO.Path.Combine(Path, FillerName));
        }
        else
        {
            File.SetUnixFileMode(Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            File.Delete(System.IO.Path.Combine(Path, FillerName));
        }
    }

    /// <summary>File names in the outbox, sorted.</summary>
    public List<string> Files() => Directory.GetFiles(Path).Select(f => System.IO.Path.GetFileName(f)!).Order(StringComparer.Ordinal).ToList();

    public async ValueTask DisposeAsync()
    {
        if (_mounted)
        {
            await RunAsync("umount", Path);
        }
        else
        {
            File.SetUnixFileMode(Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    private static async Task<int> RunAsync(string tool, params string[] args)
    {
        var info = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info)!;
        await process.StandardOutput.ReadToEndAsync();
        await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode;
    }
}
