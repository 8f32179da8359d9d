using SkiaSharp;

namespace FunctionsDrift.Core.Features;

/// <summary>
/// A small map of edge strength (Sobel gradient magnitude of luma) at a fixed size, whatever the image size: the static
/// structure of a fixed camera's view (kerbs, walls, poles), which <see cref="Detectors.ViewShiftDetector"/> aligns against
/// the reference's to see whether the camera moved.
/// </summary>
public static class EdgeMap
{
    public const int Width = 128;
    public const int Height = 96;
    public const int Length = Width * Height;

    public static float[] Compute(SKBitmap image)
    {
        // Linear filtering with mipmaps averages the pixels under each cell, so JPEG noise and grain do not become edges.
        using var small = image.Resize(new SKImageInfo(Width, Height, SKColorType.Rgba8888, SKAlphaType.Unpremul),
            new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear)) ?? throw new DriftException("cannot resize the image for its edge map");
        var luma = new float[Length];
        var pixels = small.GetPixelSpan();
        for (int i = 0; i < Length; i++)
        {
            luma[i] = 0.299f * pixels[4 * i] + 0.587f * pixels[4 * i + 1] + 0.114f * pixels[4 * i + 2];
        }
        var edges = new float[Length];
        for (int y = 1; y < Height - 1; y++)
        {
            for (int x = 1; x < Width - 1; x++)
            {
                int i = y * Width + x;
                float gx = luma[i - Width + 1] + 2 * luma[i + 1] + luma[i + Width + 1] - luma[i - Width - 1] - 2 * luma[i - 1] - luma[i + Width - 1];
                float gy = luma[i + Width - 1] + 2 * luma[i + Width] + luma[i + Width + 1] - luma[i - Width - 1] - 2 * luma[i - Width] - luma[i - Width + 1];
                edges[i] = MathF.Sqrt(gx * gx + gy * gy);
            }
        }
        return edges;
    }
}
