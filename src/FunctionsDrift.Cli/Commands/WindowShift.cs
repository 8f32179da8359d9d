using FunctionsDrift.Core.Augmentation;
using SkiaSharp;

namespace FunctionsDrift.Cli.Commands;

/// <summary>
/// A faint, sustained change applied to the frames of a stream to measure the power of the window tests: a colour cast,
/// a lower exposure, a loss of sharpness, a share of dark frames, a share of frames with a strong drift of a random kind.
/// </summary>
/// <param name="Name">Name on the command line and in the output.</param>
/// <param name="Unit">What the strength means, for the plot's x axis.</param>
/// <param name="Strengths">The strengths measured by default (0 first: the clean stream).</param>
/// <param name="Share">True when the strength is the share of frames changed (each frame drawn independently, seeded).</param>
internal sealed record WindowShift(string Name, string Unit, double[] Strengths, bool Share)
{
    public static IReadOnlyList<WindowShift> All { get; } =
    [
        new("warm-cast", "red × (1 + s), blue × (1 − s), s in %", [0, 0.5, 1, 1.5, 2, 3], Share: false),
        new("exposure", "every channel × (1 − s), s in %", [0, 2, 4, 6, 10], Share: false),
        new("blur", "Gaussian blur σ (pixels at the decoded scale)", [0, 0.3, 0.5, 0.7, 1.0], Share: false),
        new("dark-frames", "share of frames at 60 % brightness, %", [0, 5, 10, 20, 30], Share: true),
        new("drifted-frames", "share of frames with a random drift kind, %", [0, 5, 10, 15, 20], Share: true),
    ];

    public static WindowShift Parse(string name) =>
        All.FirstOrDefault(s => s.Name == name) ?? throw new CliException($"unknown shift '{name}'; valid: {string.Join(", ", All.Select(s => s.Name))}", ExitCode.Usage);

    /// <summary>
    /// The frame changed at <paramref name="strength"/>, or null when it stays as it is (strength 0, or a share kind that did
    /// not draw this frame). <paramref name="frame"/> seeds the draw, so every strength of a share kind changes a superset
    /// of the frames the weaker one changed.
    /// </summary>
    public SKBitmap? Apply(SKBitmap source, double strength, int frame, int seed, DriftGenerator generator)
    {
        if (strength <= 0) return null;
        var rng = new Random(SeedMixer.Mix(seed, frame));
        if (Share && rng.NextDouble() * 100 >= strength) return null;
        return Name switch
        {
            "warm-cast" => Filter(source, new SKPaint { ColorFilter = SKColorFilter.CreateColorMatrix(Matrix(1 + strength / 100, 1, 1 - strength / 100)) }),
            "exposure" => Filter(source, new SKPaint { ColorFilter = SKColorFilter.CreateColorMatrix(Matrix(1 - strength / 100, 1 - strength / 100, 1 - strength / 100)) }),
            "blur" => Filter(source, new SKPaint { ImageFilter = SKImageFilter.CreateBlur((float)strength, (float)strength, SKShaderTileMode.Clamp) }),
            "dark-frames" => Filter(source, new SKPaint { ColorFilter = SKColorFilter.CreateColorMatrix(Matrix(0.6, 0.6, 0.6)) }),
            "drifted-frames" => Drifted(source, rng, generator),
            _ => throw new InvalidOperationException(Name),
        };
    }

    private static float[] Matrix(double r, double g, double b) =>
        [(float)r, 0, 0, 0, 0, 0, (float)g, 0, 0, 0, 0, 0, (float)b, 0, 0, 0, 0, 0, 1, 0];

    private static SKBitmap Filter(SKBitmap source, SKPaint paint)
    {
        using (paint)
        {
            var target = new SKBitmap(source.Info);
            using var canvas = new SKCanvas(target);
            canvas.Clear(SKColors.Black);
            using var image = SKImage.FromBitmap(source);
            canvas.DrawImage(image, 0, 0, new SKSamplingOptions(SKFilterMode.Nearest), paint);
            return target;
        }
    }

    private static SKBitmap Drifted(SKBitmap source, Random rng, DriftGenerator generator)
    {
        var kind = DriftKinds.All[rng.Next(DriftKinds.All.Count)];
        using var result = generator.Apply(source, kind, rng);
        return result.Image.Copy();
    }
}
