using System.Security.Cryptography;

namespace FunctionsDrift.Core.Embedding;

/// <summary>
/// Finds or makes the INT8 model file a manifest names: made on first use from the pinned FP32 model and the committed
/// activation ranges, checked against the manifest's SHA-256, and cached by that hash so later processes only load it.
/// </summary>
/// <remarks>
/// Looked up in order: the manifest's <c>file</c> beside the manifest or the application (a deployment may ship it there),
/// then the cache folder (<c>FUNCTIONSDRIFT_MODEL_CACHE</c>, default the system temp folder). The file is written to a
/// temporary name and moved into place, so concurrent processes never read half a file.
/// </remarks>
public static class QuantizedModelFile
{
    public const string CacheVariable = "FUNCTIONSDRIFT_MODEL_CACHE";

    public static string CacheDirectory =>
        Environment.GetEnvironmentVariable(CacheVariable) is { Length: > 0 } dir ? dir : Path.Combine(Path.GetTempPath(), "functionsdrift-models");

    /// <summary>Path of the verified INT8 file for <paramref name="manifest"/>, quantizing it first if needed.</summary>
    public static string Ensure(ModelManifest manifest)
    {
        if (manifest.QuantizedFrom is null || manifest.ActivationRanges is null)
        {
            throw new DriftException($"model manifest {manifest.Name} has no quantizedFrom and activationRanges");
        }
        if (manifest.TryResolvePath(manifest.File) is not null)
        {
            return manifest.VerifyModelFile();
        }
        var cached = Path.Combine(CacheDirectory, $"{manifest.Sha256}.onnx");
        if (File.Exists(cached) && Sha256Of(File.ReadAllBytes(cached)) == manifest.Sha256.ToLowerInvariant())
        {
            return cached;
        }
        var bytes = Make(manifest);
        Directory.CreateDirectory(CacheDirectory);
        var temp = Path.Combine(CacheDirectory, $"{manifest.Sha256}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        File.WriteAllBytes(temp, bytes);
        File.Move(temp, cached, overwrite: true);
        return cached;
    }

    /// <summary>The INT8 model's bytes, made from the FP32 model and ranges the manifest names; refused unless they hash to its SHA-256.</summary>
    public static byte[] Make(ModelManifest manifest)
    {
        var fp32 = ModelManifest.Load(manifest.ResolveRelative(manifest.QuantizedFrom!));
        var ranges = ActivationRanges.Load(manifest.ResolveRelative(manifest.ActivationRanges!));
        var bytes = Int8Quantizer.Quantize(File.ReadAllBytes(fp32.VerifyModelFile()), ranges, manifest.FeatureMaps);
        Verify(manifest, bytes);
        return bytes;
    }

    /// <summary>Refuses INT8 bytes that do not hash to the manifest's SHA-256, naming the hash they have.</summary>
    public static void Verify(ModelManifest manifest, byte[] bytes)
    {
        var actual = Sha256Of(bytes);
        if (!string.Equals(actual, manifest.Sha256, StringComparison.OrdinalIgnoreCase))
        {
            throw new DriftException($"the INT8 model made from {manifest.QuantizedFrom} has sha256 {actual}, but manifest {manifest.Name} expects {manifest.Sha256}: " +
                                     "the quantizer, the activation ranges or the feature maps changed; if that was meant, update the manifest's sha256");
        }
    }

    internal static string Sha256Of(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
