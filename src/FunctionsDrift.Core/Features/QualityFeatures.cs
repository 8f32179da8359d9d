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
        "blockiness",        // luma step across JPEG block boundaries over the step elsewhere, − 1 (Wang, Bovik & Evans 2000)
    ];

    /// <summary>
    /// Effect-size floors, one per statistic in its own units: a change smaller than this is ignored by the quality
    /// detector however rare it is in the reference, because it does not change what a vision model sees. Each is about
    /// the smallest change a person notices: 2 % of the luma range for brightness, 1 % of the frame for the pixel
    /// fractions, a 10 % change of Laplacian variance for sharpness, 0.3 grey levels of noise (JPEG re-encoding moves it
    /// by about that much).
    /// </summary>
    public static readonly float[] Floors =
    [
        0.02f,  // brightness
        0.01f,  // contrast
        0.01f,  // colourfulness
        0.01f,  // saturation
        0.1f,   // sharpness (log units)
        0.3f,   // noise (grey levels)
        0.01f,  // edge_density
        0.01f,  // edge_balance
        0.01f,  // dark_fraction
        0.01f,  // bright_fraction
        0.02f,  // high_freq_ratio
        0.02f,  // top_bottom_luma
        0.05f,  // top_bottom_edges (log units)
        0.08f,  // blockiness: re-encoding an already blocky low-bitrate video frame at quality 90–97 moves it up to 0.07
    ];

    // Positions in the quality vector, in the order of Names.
    public const int Brightness = 0, Contrast = 1, Colourfulness = 2, Saturation = 3, Sharpness = 4, Noise = 5, EdgeDensity = 6,
        EdgeBalance = 7, DarkFraction = 8, BrightFraction = 9, HighFreqRatio = 10, TopBottomLuma = 11, TopBottomEdges = 12,
        Blockiness = 13;

    /// <summary>
    /// Whether only a rise of the statistic is a change: the clipped fractions. Fewer clipped pixels than the reference
    /// lose nothing, and they fall with any exposure a few percent lower wherever a sky sits near white (on a 320×240
    /// tree scene, 4 % darker took the bright fraction from 16 % to 13 % of the frame and flagged every frame).
    /// </summary>
    public static bool OnlyRiseCounts(int statistic) => statistic is DarkFraction or BrightFraction;

    public static int Count => Names.Length;
}
