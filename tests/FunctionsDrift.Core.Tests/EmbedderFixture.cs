using FunctionsDrift.Core.Embedding;
using FunctionsDrift.Core.Features;
using SkiaSharp;

namespace FunctionsDrift.Core.Tests;

/// <summary>One real ONNX Runtime session with the bundled ResNet18, shared by every test class that needs it.</summary>
public sealed class EmbedderFixture : IDisposable
{
    private readonly Lazy<SceneSet> _scenes;

    /// <summary>The FP32 embedder: the one ML.NET parity is proven for; the INT8 one is compared against it.</summary>
    public OnnxEmbedder Embedder { get; } = OnnxEmbedder.CreateDefault(precision: EmbedderPrecision.Fp32);

    public FeatureExtractor Extractor { get; }

    /// <summary>Features of the synthetic fixed-camera scenes, extracted once for all detector and model tests.</summary>
    public SceneSet Scenes => _scenes.Value;

    public EmbedderFixture()
    {
        Extractor = new FeatureExtractor(Embedder);
        _scenes = new Lazy<SceneSet>(() => new SceneSet(Extractor));
    }

    public void Dispose() => Embedder.Dispose();
}

/// <summary>
/// 40 reference scenes, 30 held-out normal scenes (other seeds) and drifted images of each kind a detector targets.
/// </summary>
public sealed class SceneSet
{
    public IReadOnlyList<ImageFeatures> Reference { get; }
    public IReadOnlyList<ImageFeatures> Normal { get; }
    /// <summary>A different place altogether (embedding detectors).</summary>
    public IReadOnlyList<ImageFeatures> OtherScene { get; }
    /// <summary>The same scene with a colour cast (HSV detector).</summary>
    public IReadOnlyList<ImageFeatures> ColourShift { get; }
    /// <summary>Strong sensor noise and blur (quality detector).</summary>
    public IReadOnlyList<ImageFeatures> NoiseOrBlur { get; }
    /// <summary>A small bright object in one sky cell (patch detector).</summary>
    public IReadOnlyList<ImageFeatures> SmallObject { get; }
    /// <summary>The camera slid by 4 % of the width (even seeds) or turned by 4° (odd seeds) (view detector).</summary>
    public IReadOnlyList<ImageFeatures> CameraMoved { get; }

    public SceneSet(FeatureExtractor extractor)
    {
        ImageFeatures Make(Func<SKBitmap> make)
        {
            using var b = make();
            return extractor.Extract(b);
        }
        // Read as drift fit reads a reference: with the zoomed patches.
        Reference = Enumerable.Range(100, 40).Select(s =>
        {
            using var b = Synth.Scene(s);
            return extractor.ExtractReference(b);
        }).ToList();
        Normal = Enumerable.Range(300, 30).Select(s => Make(() => Synth.Scene(s))).ToList();
        OtherScene = Enumerable.Range(500, 6).Select(s => Make(() => Synth.OtherScene(s))).ToList();
        ColourShift = Enumerable.Range(600, 6).Select(s => Make(() =>
        {
            using var scene = Synth.Scene(s);
            return Synth.ShiftColour(scene, 1.35f, 0.9f, 0.55f);
        })).ToList();
        NoiseOrBlur = Enumerable.Range(700, 6).Select(s => Make(() =>
        {
            var scene = Synth.Scene(s);
            if (s % 2 == 0)
            {
                Synth.AddNoise(scene, 25, new Random(s));
                return scene;
            }
            using (scene) return Synth.Blur(scene, 2f);
        })).ToList();
        SmallObject = Enumerable.Range(800, 6).Select(s => Make(() =>
        {
            var scene = Synth.Scene(s);
            int x = 4 + (s % 3) * 20; // cells of 20×20 in the sky, columns 0–2
            Synth.FillRect(scene, new SKRectI(x, 6, x + 12, 18), new SKColor(240, 30, 200));
            return scene;
        })).ToList();
        CameraMoved = Enumerable.Range(900, 6).Select(s => Make(() =>
        {
            using var scene = Synth.Scene(s);
            var moved = Synth.New(scene.Width, scene.Height);
            using var canvas = new SKCanvas(moved);
            if (s % 2 == 0) canvas.Translate(-6, 0); else canvas.RotateDegrees(4, scene.Width / 2f, scene.Height / 2f);
            canvas.DrawBitmap(scene, 0, 0);
            return moved;
        })).ToList();
    }
}

[CollectionDefinition(Name)]
public sealed class EmbedderCollection : ICollectionFixture<EmbedderFixture>
{
    public const string Name = "ResNet18 embedder";
}
