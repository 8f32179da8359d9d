using System.Buffers;
using SkiaSharp;

namespace FunctionsDrift.Core.Augmentation.Kinds;

/// <summary>Upside-down image (camera mounted the wrong way).</summary>
internal sealed class VerticalFlipDrift() : PixelDrift("vertical-flip")
{
    /// <summary>Upside down: rows swapped in place.</summary>
    protected override (SKBitmap Image, string Parameters) Transform(SKBitmap work, Random rng)
    {
        var span = work.GetPixelSpan();
        int rowBytes = work.RowBytes, h = work.Height;
        var tmp = ArrayPool<byte>.Shared.Rent(rowBytes);
        try
        {
            var t = tmp.AsSpan(0, rowBytes);
            for (int y = 0; y < h / 2; y++)
            {
                var top = span.Slice(y * rowBytes, rowBytes);
                var bottom = span.Slice((h - 1 - y) * rowBytes, rowBytes);
                top.CopyTo(t);
                bottom.CopyTo(top);
                t.CopyTo(bottom);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(tmp);
        }
        return (work, "flip=vertical");
    }
}
