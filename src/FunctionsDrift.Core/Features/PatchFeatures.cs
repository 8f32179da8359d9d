namespace FunctionsDrift.Core.Features;

/// <summary>
/// A coarse grid over the frame with colour statistics per cell (mean Y, Cb, Cr and the std of Y).
/// On a fixed camera each cell has its own normal range, so a small object entering the view stands out locally
/// even when it barely moves the global embedding or histograms.
/// </summary>
public static class PatchFeatures
{
    public const int Columns = 8;
    public const int Rows = 6;
    public const int ValuesPerCell = 4;
    public static int Count => Columns * Rows * ValuesPerCell;
    public static readonly string[] ValueNames = ["luma", "blue-diff", "red-diff", "texture"];

    /// <summary>Name of the cell holding feature <paramref name="index"/>, e.g. "row 2, column 5 (red-diff)".</summary>
    public static string Describe(int cell) => $"cell r{cell / Columns}c{cell % Columns}";
}
