using SkiaSharp;

namespace FunctionsDrift.Core.Features;

/// <summary>
/// Where the <c>region</c> detectors look: squares centred on one cell of the patch grid, at two scales an octave apart.
/// <list type="bullet">
/// <item>An eighth of the frame wide holds the smallest object the benchmark pastes (6 % of the width) with some of its
/// surroundings, so the network sees the object whole rather than as texture. Crops from 1/4 to 1/10 of the width alone
/// all found 13–14 of the benchmark's 15 time-forward pastes.</item>
/// <item>A quarter holds a person near the camera whole, where the eighth shows a torso no reference crop showed; so a
/// fruit on the lawn stands out against people walking closer than they did in the reference (README, "wide").</item>
/// </list>
/// </summary>
public static class RegionCrop
{
    /// <summary>Crop widths as fractions of the frame's width (1/n), in the order each cell's crops are embedded.</summary>
    public static readonly IReadOnlyList<int> WidthFractions = [8, 4];

    /// <summary>
    /// The crop 1/<paramref name="widthFraction"/> of the frame wide around <paramref name="cell"/> of a
    /// <paramref name="grid"/> × <paramref name="grid"/> patch grid, inside the image.
    /// </summary>
    public static SKRectI Around(int cell, int grid, int width, int height, int widthFraction)
    {
        if (grid <= 0 || cell < 0 || cell >= grid * grid) throw new ArgumentOutOfRangeException(nameof(cell), $"cell {cell} is not on a {grid}×{grid} grid");
        if (widthFraction < 1) throw new ArgumentOutOfRangeException(nameof(widthFraction), "the crop is 1/n of the width for n ≥ 1");
        // The patch grid covers the whole frame stretched to a square, so a cell's centre scales with each side.
        int side = Math.Min(Math.Max(16, width / widthFraction), Math.Min(width, height));
        int cx = (int)((cell % grid + 0.5) / grid * width), cy = (int)((cell / grid + 0.5) / grid * height);
        int x = Math.Clamp(cx - side / 2, 0, width - side), y = Math.Clamp(cy - side / 2, 0, height - side);
        return SKRectI.Create(x, y, side, side);
    }
}
