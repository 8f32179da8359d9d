using System.Diagnostics;
using System.Reflection;

namespace FunctionsDrift.Infra.Tests;

/// <summary>Runs the Bicep CLI shipped by the Azure.Bicep.CommandLine.linux-x64 package.</summary>
internal static class BicepCli
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    public static string RepoRoot { get; } = Path.GetFullPath(Metadata("RepoRoot"));

    public static string InfraDir => Path.Combine(RepoRoot, "infra");

    public static string MainBicep => Path.Combine(InfraDir, "main.bicep");

    /// <summary>The CLI path; the package props write it with a backslash, and the package
    /// installs it owner-executable only, so make sure it can run.</summary>
    public static string ExecutablePath { get; } = PrepareExecutable(Metadata("BicepPath").Replace('\\', '/'));

    public static IEnumerable<string> AllBicepFiles() =>
        Directory.EnumerateFiles(InfraDir, "*.bicep", SearchOption.AllDirectories).Order(StringComparer.Ordinal);

    public static BicepResult Run(params string[] args)
    {
        var psi = new ProcessStartInfo(ExecutablePath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepoRoot,
        };
        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        // Offline and quiet: no telemetry, no version check.
        psi.Environment["BICEP_TELEMETRY_ENABLED"] = "false";
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";

        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {ExecutablePath}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"bicep {string.Join(' ', args)} did not finish in {Timeout}");
        }

        return new BicepResult(process.ExitCode, stdout.Result, stderr.Result);
    }

    private static string Metadata(string key) =>
        typeof(BicepCli).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .SingleOrDefault(a => a.Key == key)?.Value
        ?? throw new InvalidOperationException($"assembly metadata {key} missing (see the test csproj)");

    private static string PrepareExecutable(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Bicep CLI not found at {path}; restore Azure.Bicep.CommandLine.linux-x64", path);
        }

        if (!OperatingSystem.IsWindows())
        {
            var mode = File.GetUnixFileMode(path);
            const UnixFileMode execAll = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
            if ((mode & execAll) != execAll)
            {
                try
                {
                    File.SetUnixFileMode(path, mode | execAll | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
                }
                catch (UnauthorizedAccessException)
                {
                    // Not our file: it still runs if we own it (the package sets u+x).
                }
            }
        }

        return path;
    }
}

internal sealed record BicepResult(int ExitCode, string StdOut, string StdErr)
{
    public string Describe() => $"exit {ExitCode}\nstdout:\n{StdOut}\nstderr:\n{StdErr}";
}
