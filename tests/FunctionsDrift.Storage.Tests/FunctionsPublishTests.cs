using System.Diagnostics;
using System.Security.Cryptography;
using FunctionsDrift.Core.Embedding;

namespace FunctionsDrift.Storage.Tests;

/// <summary>
/// The deployment package: <c>-p:ShipInt8Model=true</c> adds the INT8 ResNet18 where the embedder looks beside the app,
/// byte for byte the manifest's, and a plain publish leaves it out.
/// </summary>
public sealed class FunctionsPublishTests
{
    private const string Int8File = "DnnImageModels/ResNet18Onnx/ResNet18.int8.onnx";

    private static async Task<(int Code, string Output)> Publish(string outDir, params string[] extra)
    {
        var project = Path.Combine(AzuriteFixture.RepoRoot(), "src", "FunctionsDrift.Functions", "FunctionsDrift.Functions.csproj");
        // --no-build: the test run has built the solution in Release; this only lays out the package.
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "publish", project, "-c", "Release", "--no-build", "--nologo", "-o", outDir }.Concat(extra)) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    [Fact]
    public async Task Publish_ShipInt8Model_PutsTheManifestsInt8FileBesideTheApp()
    {
        var root = Directory.CreateTempSubdirectory("fd-publish-");
        try
        {
            var (code, output) = await Publish(Path.Combine(root.FullName, "int8"), "-p:ShipInt8Model=true");
            Assert.True(code == 0, output);
            var shipped = Path.Combine(root.FullName, "int8", Int8File);
            Assert.True(File.Exists(shipped), output);
            var manifest = ModelManifest.Load(ModelManifest.PathFor(EmbedderPrecision.Int8));
            Assert.Equal(manifest.Sha256, Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(shipped))));

            (code, output) = await Publish(Path.Combine(root.FullName, "plain"));
            Assert.True(code == 0, output);
            Assert.False(File.Exists(Path.Combine(root.FullName, "plain", Int8File)));
            Assert.True(File.Exists(Path.Combine(root.FullName, "plain", "DnnImageModels/ResNet18Onnx/ResNet18.onnx")));
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }
}
