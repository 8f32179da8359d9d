namespace FunctionsDrift.Core.Features;

/// <summary>
/// Cheap image-quality statistics that a CNN embedding and colour histograms tend to miss:
/// blur and downscaling (sharpness, high-frequency ratio), noise and rain (noise level, edge balance),
/// flips (top/bottom asymmetry), exposure (brightness, contrast, clipping).
/// </summary>
public static class QualityFeatures
{
    public static readonly string[] Names =
    [
        "brightness",        // mean luma, 0–1
        "contrast",          // std of luma, 0–1
        "colourfulness",     // Hasler & Süsstrunk (2003), scaled to 0–1
        "saturation",        // mean HSV saturation
        "sharpness",         // log(1 + variance of the Laplacian)
        "noise",             // Immerkær (1996) fast noise sigma estimate, 0–255 scale
        "edge_density",      // fraction of pixels with gradient magnitude > 24
        "edge_balance",      // horizontal share of gradient energy: Σ|gx| / (Σ|gx| + Σ|gy|)
        "dark_fraction",     // luma < 16
        "bright_fraction",   // luma > 240
        "high_freq_ratio",   // Σ|Laplacian| / Σ|gradient|
        "top_bottom_luma",   // mean luma of top half − bottom half
        "top_bottom_edges",  // log ratio of gradient energy, top half / bottom half
    ];

    public static int Count => Names.Length;
}
