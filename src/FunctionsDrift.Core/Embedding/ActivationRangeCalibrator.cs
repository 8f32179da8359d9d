using FunctionsDrift.Core.Images;
using SkiaSharp;

namespace FunctionsDrift.Core.Embedding;

/// <summary>
/// Measures <see cref="ActivationRanges"/> for <see cref="Int8Quantizer"/>: runs the FP32 model on calibration images,
/// prepared exactly as the embedder prepares them, and keeps the min and max of every quantized value.
/// </summary>
public static class ActivationRangeCalibrator
{
    public static ActivationRanges Measure(ModelManifest fp32, IReadOnlyList<string> imageFiles, string source)
    {
        if (imageFiles.Count == 0)
        {
            throw new DriftException("no calibration images");
        }
        var names = Int8Quantizer.QuantizedValues(File.ReadAllBytes(fp32.VerifyModelFile()));
        var maps = names.Where(n => n != fp32.InputName).ToArray();
        using var embedder = new OnnxEmbedder(fp32 with { FeatureMaps = maps }, new EmbedderOptions { IntraOpThreads = 1 });
        var min = new Dictionary<string, double>();
        var max = new Dictionary<string, double>();
        void See(string name, ReadOnlySpan<float> values)
        {
            double lo = min.GetValueOrDefault(name, double.PositiveInfinity), hi = max.GetValueOrDefault(name, double.NegativeInfinity);
            foreach (var v in values)
            {
                lo = Math.Min(lo, v);
                hi = Math.Max(hi, v);
            }
            min[name] = lo;
            max[name] = hi;
        }
        var embedding = new float[embedder.Dimension];
        var featureMaps = new float[embedder.FeatureMapLength];
        var input = new float[3 * fp32.InputWidth * fp32.InputHeight];
        foreach (var file in imageFiles)
        {
            using SKBitmap image = ImageLoader.LoadFile(file, ImageLoadOptions.Scoring);
            embedder.Embed(image, embedding, featureMaps);
            embedder.PrepareInput(image, input);
            See(fp32.InputName, input);
            int offset = 0;
            foreach (var shape in embedder.FeatureMapShapes)
            {
                See(shape.Name, featureMaps.AsSpan(offset, shape.Length));
                offset += shape.Length;
            }
        }
        return new ActivationRanges
        {
            Source = source,
            Ranges = names.Select(n => ActivationRanges.Rounded(n, min[n], max[n])).ToList(),
        };
    }
}
