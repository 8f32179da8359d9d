using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Azure.Storage.Blobs;

namespace FunctionsDrift.Storage.Tests;

/// <summary>
/// A real Azurite for the tests: <c>AZURITE_CONNECTION</c> when CI set one, otherwise <c>node_modules/.bin/azurite</c> from the
/// repo root started on free loopback ports with a temporary data folder (stopped at the end).
/// </summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    private const string Key = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private Process? _process;
    private string? _dataDir;

    public string Connection { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var env = Environment.GetEnvironmentVariable("AZURITE_CONNECTION");
        if (!string.IsNullOrWhiteSpace(env))
        {
            Connection = env;
            return;
        }
        var root = RepoRoot();
        var azurite = Path.Combine(root, "node_modules", ".bin", "azurite");
        if (!File.Exists(azurite))
        {
            throw new InvalidOperationException($"Azurite not found at {azurite}: run `npm ci` in the repo root, or set AZURITE_CONNECTION");
        }
        int blob = FreePort(), queue = FreePort(), table = FreePort();
        _dataDir = Directory.CreateTempSubdirectory("azurite-tests-").FullName;
        var psi = new ProcessStartInfo(azurite)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // Telemetry off: Azurite collects and sends usage telemetry unless told not to (azurite --help).
        foreach (var a in new[] { "--location", _dataDir, "--silent", "--loose", "--skipApiVersionCheck", "--disableTelemetry",
                     "--blobHost", "127.0.0.1", "--blobPort", $"{blob}", "--queueHost", "127.0.0.1", "--queuePort", $"{queue}",
                     "--tableHost", "127.0.0.1", "--tablePort", $"{table}" })
        {
            psi.ArgumentList.Add(a);
        }
        _process = Process.Start(psi)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        Connection = ConnectionFor(blob, queue, table);
        var client = new BlobServiceClient(Connection);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                await client.GetPropertiesAsync();
                var tables = new Azure.Data.Tables.TableServiceClient(Connection);
                await tables.QueryAsync().AsPages().GetAsyncEnumerator().MoveNextAsync();
                break;
            }
            catch (Exception) when (DateTime.UtcNow < deadline && !_process.HasExited)
            {
                await Task.Delay(200);
            }
        }
    }

    public static string ConnectionFor(int blob, int queue, int table) =>
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={Key};" +
        $"BlobEndpoint=http://127.0.0.1:{blob}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{queue}/devstoreaccount1;TableEndpoint=http://127.0.0.1:{table}/devstoreaccount1;";

    public Task DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
        _process?.Dispose();
        if (_dataDir is not null)
        {
            try { Directory.Delete(_dataDir, recursive: true); } catch (IOException) { }
        }
        return Task.CompletedTask;
    }

    public static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "FunctionsDrift.sln")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("repo root (FunctionsDrift.sln) not found");
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}

[CollectionDefinition(Name)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>, ICollectionFixture<EngineFixture>
{
    public const string Name = "azurite";
}
