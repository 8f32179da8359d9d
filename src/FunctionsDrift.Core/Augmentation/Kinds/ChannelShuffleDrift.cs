using SkiaSharp;

namespace FunctionsDrift.Core.Augmentation.Kinds;

/// <summary>A non-identity permutation of the R, G, B channels.</summary>
internal sealed class ChannelShuffleDrift() : PixelDrift("channel-shuffle")
{
    private static readonly int[][] NonIdentityPermutations = [[0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]];

    /// <summary>Output (R, G, B) = source channels in one of the five non-identity orders.</summary>
    protected override (SKBitmap Image, string Parameters) Transform(SKBitmap work, Random rng)
    {
        var order = NonIdentityPermutations[rng.Next(NonIdentityPermutations.Length)];
        const string letters = "RGB";
        var name = string.Concat(order.Select(i => letters[i]));
        return (Pixels.ColorMatrix(work, ColorMatrix.Permute(order)), $"order={name}");
    }
}
