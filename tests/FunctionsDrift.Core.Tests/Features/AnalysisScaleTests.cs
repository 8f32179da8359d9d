using FunctionsDrift.Core.Features;
using FunctionsDrift.Core.Images;
using SkiaSharp;

namespace FunctionsDrift.Core.Tests;

/// <summary>Colour and quality statistics are measured at half the native resolution, where a re-encode changes nothing that matters.</summary>
public sealed class AnalysisScaleTests
{
    private static readonly FeatureExtractor Extractor = new(null);

    [Theory]
    [InlineData(90)]
    [InlineData(92)]
    public void FeatureExtractor_SmallFrameReencoded_MovesNoQualityStatisticPastItsFloor(int quality)
    {
        foreach (int seed in new[] { 3, 4, 5 })
        {
            // A 320×240 frame with sensor noise: decoded at full size, so its finest octave is where JPEG's quantiser works.
            using var scene = Synth.Scene(seed, width: 320, height: 240, noise: 4);
            byte[] original = Synth.Encode(scene, SKEncodedImageFormat.Jpeg, 98);
            using var decoded = ImageLoader.Decode(original);
            byte[] reencoded = Synth.Encode(decoded, SKEncodedImageFormat.Jpeg, quality);

            var a = Extractor.Extract(original).Quality;
            var b = Extractor.Extract(reencoded).Quality;
            for (int i = 0; i < QualityFeatures.Count; i++)
            {
                Assert.True(Math.Abs(a[i] - b[i]) < QualityFeatures.Floors[i],
                    $"seed {seed}, quality {quality}: {QualityFeatures.Names[i]} moved {Math.Abs(a[i] - b[i]):0.###} ({a[i]:0.###} → {b[i]:0.###}), floor {QualityFeatures.Floors[i]}");
            }
        }
    }

    [Fact]
    public void Blockiness_HeavyJpegCompressionRaisesItPastTheFloor()
    {
        const int b = QualityFeatures.Blockiness;
        foreach (int seed in new[] { 3, 4, 5 })
        {
            using var scene = Synth.Scene(seed, width: 320, height: 240, noise: 4);
            float clean = Extractor.Extract(Synth.Encode(scene, SKEncodedImageFormat.Jpeg, 95)).Quality[b];
            float heavy = Extractor.Extract(Synth.Encode(scene, SKEncodedImageFormat.Jpeg, 20)).Quality[b];
            Assert.True(heavy - clean > 2 * QualityFeatures.Floors[b], $"seed {seed}: blockiness {clean:0.###} at quality 95, {heavy:0.###} at 20");
        }
    }

    [Fact]
    public void FeatureExtractor_SmallFrameWithAddedNoise_StillMovesTheNoiseStatistic()
    {
        using var scene = Synth.Scene(3, width: 320, height: 240, noise: 3);
        using var noisy = scene.Copy();
        Synth.AddNoise(noisy, 12, new Random(3));
        var clean = Extractor.Extract(Synth.Encode(scene, SKEncodedImageFormat.Jpeg, 95)).Quality[QualityFeatures.Noise];
        var withNoise = Extractor.Extract(Synth.Encode(noisy, SKEncodedImageFormat.Jpeg, 95)).Quality[QualityFeatures.Noise];
        Assert.True(withNoise - clean > 5 * QualityFeatures.Floors[QualityFeatures.Noise], $"noise {clean:0.##} → {withNoise:0.##}");
    }
}
