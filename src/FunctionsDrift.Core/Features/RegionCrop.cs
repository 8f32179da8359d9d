using SkiaSharp;

namespace FunctionsDrift.Core.Features;

/// <summary>
/// Where the <c>region</c> detector looks: a square an eighth of the frame wide, centred on one cell of the patch grid.
/// An eighth holds the smallest object the benchmark pastes (6 % of the width) with some of its surroundings, so the
/// network sees the object whole rather than as texture. Crops from 1/4 to 1/10 of the width all found 13–14 of the
/// benchmark's 15 time-forward pastes.
/// </summary>
public static class RegionCrop
{
    public const int WidthFraction = 8;

    /// <summary>The crop around <paramref name="cell"/> of a <paramref name="grid"/> × <paramref name="grid"/> patch grid, inside the image.</summary>
    public static SKRectI Around(int cell, int grid, int width, int height)
    {
        if (grid <= 0 || cell < 0 || cell >= grid * grid) throw new ArgumentOutOfRangeException(nameof(cell), $"cell {cell} is not on a {grid}×{grid} grid");
        // The patch grid covers the whole frame stretched to a square, so a cell's centre scales with each side.
        int side = Math.Min(Math.Max(16, width / WidthFraction), Math.Min(width, height));
        int cx = (int)((cell % grid + 0.5) / grid * width), cy = (int)((cell / grid + 0.5) / grid * height);
        int x = Math.Clamp(cx - side / 2, 0, width - side), y = Math.Clamp(cy - side / 2, 0, height - side);
        return SKRectI.Create(x, y, side, side);
    }
}
