using System.CommandLine;
using System.Security.Cryptography;
using FunctionsDrift.Core.Embedding;

namespace FunctionsDrift.Cli.Commands;

/// <summary>
/// <c>drift quantize</c>: makes the INT8 ResNet18 from the FP32 one (what the embedder does on first use) and prints its
/// SHA-256; with <c>--calibrate DIR</c> it first re-measures the activation ranges on the first 30 images of DIR.
/// </summary>
internal static class QuantizeCommand
{
    /// <summary>Calibration images taken from the folder, in file-name order.</summary>
    public const int CalibrationImages = 30;

    public static Command Create(CliContext ctx)
    {
        var output = new Option<string?>("--out") { Description = "Write the INT8 ONNX file here." };
        var calibrate = new Option<string?>("--calibrate") { Description = $"Re-measure the activation ranges on the first {CalibrationImages} images of this folder (the documented set: frames 1–30 of vtest.avi)." };
        var ranges = new Option<string?>("--ranges") { Description = "Activation ranges file to read, or with --calibrate to write. Default: the bundled one." };
        var cmd = new Command("quantize", "Make the INT8 ResNet18 from the pinned FP32 model and print its SHA-256.") { output, calibrate, ranges };
        cmd.SetAction((pr, ct) => ctx.Guard(async token =>
        {
            await Task.Yield();
            var int8 = ModelManifest.Load(ModelManifest.PathFor(EmbedderPrecision.Int8));
            var fp32 = ModelManifest.Load(int8.ResolveRelative(int8.QuantizedFrom!));
            var rangesPath = pr.GetValue(ranges) ?? int8.ResolveRelative(int8.ActivationRanges!);
            if (pr.GetValue(calibrate) is { } dir)
            {
                var files = CommonOptions.ListImages(ctx, dir).Take(CalibrationImages).ToList();
                var measured = ActivationRangeCalibrator.Measure(fp32, files,
                    $"min/max of each quantized value of {fp32.Name} over {files.Count} frames ({Path.GetFileName(files[0])} to {Path.GetFileName(files[^1])}: " +
                    "the first 30 frames of Debian opencv-doc's vtest.avi, extracted by scripts/make-benchmark.sh), decoded and resized as the embedder does; " +
                    $"rounded outwards to {ActivationRanges.SignificantDigits} significant digits. Remake: drift quantize --calibrate DIR --ranges FILE");
                measured.Save(rangesPath);
                ctx.Out.WriteLine($"activation ranges of {measured.Ranges.Count} values from {files.Count} images → {rangesPath}");
            }
            var bytes = Int8Quantizer.Quantize(File.ReadAllBytes(fp32.VerifyModelFile()), ActivationRanges.Load(rangesPath), int8.FeatureMaps);
            var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
            bool bundledRanges = pr.GetValue(ranges) is null && pr.GetValue(calibrate) is null;
            if (pr.GetValue(output) is { } outPath)
            {
                // With the bundled ranges the bytes must be the manifest's, or the embedder would refuse the file later.
                if (bundledRanges) QuantizedModelFile.Verify(int8, bytes);
                File.WriteAllBytes(outPath, bytes);
            }
            ctx.Out.WriteLine($"int8 model: {bytes.Length / 1024.0 / 1024.0:0.0} MiB, sha256 {sha} ({(sha == int8.Sha256 ? "matches" : "differs from")} manifest {int8.Name})");
            return (int)ExitCode.Ok;
        }, ct));
        return cmd;
    }
}
