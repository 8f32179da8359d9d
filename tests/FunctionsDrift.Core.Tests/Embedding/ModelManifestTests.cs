using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using FunctionsDrift.Core.Embedding;

namespace FunctionsDrift.Core.Tests;

public sealed class ModelManifestTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("drift-manifest-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>The bundled manifest as JSON, with the model file made absolute so a copy works from any folder.</summary>
    private static JsonObject BundledJson()
    {
        var json = JsonNode.Parse(File.ReadAllText(ModelManifest.PathFor(EmbedderPrecision.Fp32)))!.AsObject();
        json["file"] = ModelManifest.Load(ModelManifest.PathFor(EmbedderPrecision.Fp32)).ResolveModelPath();
        return json;
    }

    private string Write(string text, string name = "m.json")
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void ModelManifest_BundledLoadsAndHashMatchesFile()
    {
        var manifest = ModelManifest.Load(ModelManifest.PathFor(EmbedderPrecision.Fp32));
        var path = manifest.VerifyModelFile();

        using var stream = File.OpenRead(path);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(stream)), manifest.Sha256.ToLowerInvariant());
        Assert.Equal(64, manifest.Sha256.Length);
        Assert.Equal("ResNet18.onnx", Path.GetFileName(path));
        Assert.Equal(512, manifest.EmbeddingSize);
        // ResNetPreprocess.onnx reverses the planes: the network wants B, G, R (see the ML.NET parity test).
        Assert.Equal("BGR", manifest.PixelOrder);
        Assert.NotNull(manifest.VerifyMeanImageModel());
        Assert.StartsWith(manifest.Name + "@" + manifest.Sha256[..16], manifest.Identity);
    }

    [Fact]
    public void ModelManifest_WrongShaIsRefused()
    {
        var json = BundledJson();
        json["sha256"] = new string('0', 64);
        var manifest = ModelManifest.Load(Write(json.ToJsonString()));

        var e = Assert.Throws<DriftException>(() => manifest.VerifyModelFile());
        Assert.Contains("sha256", e.Message);
        Assert.Throws<DriftException>(() => new OnnxEmbedder(manifest).Dispose());
    }

    [Fact]
    public void ModelManifest_WrongMeanImageShaIsRefused()
    {
        var json = BundledJson();
        json["meanImageModel"] = ModelManifest.Load(ModelManifest.PathFor(EmbedderPrecision.Fp32)).VerifyMeanImageModel();
        json["meanImageModelSha256"] = new string('1', 64);
        var manifest = ModelManifest.Load(Write(json.ToJsonString()));
        Assert.Contains("sha256", Assert.Throws<DriftException>(() => manifest.VerifyMeanImageModel()).Message);
    }

    [Fact]
    public void ModelManifest_MissingModelFileIsClearError()
    {
        var json = BundledJson();
        json["file"] = "nowhere/ResNet99.onnx";
        var manifest = ModelManifest.Load(Write(json.ToJsonString()));

        var e = Assert.Throws<DriftException>(() => manifest.VerifyModelFile());
        Assert.Contains("ResNet99.onnx", e.Message);
        Assert.Contains("not found", e.Message);
    }

    [Fact]
    public void ModelManifest_MissingManifestIsClearError()
    {
        var e = Assert.Throws<DriftException>(() => ModelManifest.Load(Path.Combine(_dir, "absent.json")));
        Assert.Contains("not found", e.Message);
    }

    [Theory]
    [InlineData("{ \"name\": \"x\", ")]
    [InlineData("this is not json")]
    [InlineData("[1, 2, 3]")]
    public void ModelManifest_BadJsonIsClearError(string text)
    {
        var e = Assert.Throws<DriftException>(() => ModelManifest.Load(Write(text)));
        Assert.Contains("not valid JSON", e.Message);
    }

    [Fact]
    public void ModelManifest_MissingRequiredFieldIsClearError()
    {
        var json = BundledJson();
        json.Remove("sha256");
        Assert.Throws<DriftException>(() => ModelManifest.Load(Write(json.ToJsonString())));
    }

    [Theory]
    [InlineData("pixelOrder", "XYZ")]
    [InlineData("resize", "squash")]
    public void ModelManifest_InvalidSettingIsRefused(string field, string value)
    {
        var json = BundledJson();
        json[field] = value;
        var e = Assert.Throws<DriftException>(() => ModelManifest.Load(Write(json.ToJsonString())));
        Assert.Contains(value, e.Message);
    }

    [Fact]
    public void ModelManifest_WrongMeanCountIsRefused()
    {
        var json = BundledJson();
        json["mean"] = JsonSerializer.SerializeToNode(new[] { 1f, 2f });
        Assert.Throws<DriftException>(() => ModelManifest.Load(Write(json.ToJsonString())));
    }
}
