namespace FunctionsDrift.Core.Detectors;

/// <summary>Settings for fitting and calibrating a reference model. Stored in the model file.</summary>
public sealed record FitOptions
{
    /// <summary>Fraction of the (standardised) embedding variance the PCA keeps. The study kept 150 of 512 components; NannyML keeps 65 %.</summary>
    public double PcaVariance { get; init; } = 0.95;

    /// <summary>Neighbours averaged by the kNN detector (cosine distance on L2-normalised embeddings).</summary>
    public int Neighbours { get; init; } = 3;

    /// <summary>Cross-fitting folds: each reference image is scored by detectors fitted without its fold.</summary>
    public int Folds { get; init; } = 5;

    /// <summary>Contiguous images (in name/time order) held out together, so near-duplicate neighbouring frames do not leak. 0 = n / Folds (contiguous folds).</summary>
    /// <remarks>Larger blocks give more pessimistic (higher) thresholds: fewer false alarms on a scene that evolves after the
    /// reference, slightly lower recall. On the street-camera benchmark, blocks of n/40 → n/5 moved time-forward false alarms
    /// from 78 % to 61 % and interleaved recall from 100 % to 98 %.</remarks>
    public int BlockSize { get; init; }

    /// <summary>How held-out calibration scores are made; see <see cref="CalibrationMode"/>.</summary>
    public CalibrationMode Calibration { get; init; } = CalibrationMode.ForwardChaining;

    /// <summary>Detector kinds to fit, by name; empty = every kind the features support.</summary>
    public string[] Detectors { get; init; } = [];

    /// <summary>Target false-alarm rate of the fused verdict; split across detectors (Bonferroni).</summary>
    public double FalseAlarmRate { get; init; } = 0.01;

    /// <summary>Share of the reference's patch descriptors kept in the local detector's memory bank (greedy k-centre coreset).</summary>
    /// <remarks>PatchCore keeps 1–10 %; a probe on a street camera kept the ranking (rank correlation 0.97–0.99) at 1 %.</remarks>
    public double CoresetFraction { get; init; } = 0.01;

    /// <summary>Smallest memory bank of the local detector, for small references.</summary>
    public int CoresetMin { get; init; } = 256;

    /// <summary>
    /// Multiplier of the quality detector's per-statistic effect-size floors (<see cref="Features.QualityFeatures.Floors"/>);
    /// 0 turns them off. Sustained changes below the floors are the window test's job.
    /// </summary>
    public double QualityFloorScale { get; init; } = 1;

    /// <summary>
    /// Effect-size floor of the colour detector: the earth mover's distance, as a share of a channel's range, that a colour
    /// change must exceed to count. 0.02 lets a 1–2 % white-balance cast or a re-encode pass (about 0.5–1 % of the range on a
    /// street camera); sustained faint casts are the window test's job.
    /// </summary>
    public double HsvFloor { get; init; } = 0.02;

    /// <summary>
    /// Effect-size floor of the view detector, in pixels of the <see cref="Features.EdgeMap"/> (128 across): how far the
    /// static structure must move before it counts. 1.5 ignores a one-cell diagonal wobble (about 1 % of the width), the
    /// size of the jitter a pole-mounted camera shows in wind; a camera knocked by 2° or 2 % of the width moves 2–3 cells.
    /// </summary>
    public double ViewFloor { get; init; } = 1.5;

    /// <summary>Smallest reference set accepted.</summary>
    public int MinImages { get; init; } = 20;
}

/// <summary>How <see cref="Model.ReferenceFitter"/> makes the held-out scores that calibrate each detector.</summary>
public enum CalibrationMode
{
    /// <summary>Each fold is scored by detectors fitted on all other folds (cross-fitting; images before and after it).</summary>
    ContiguousFolds,

    /// <summary>
    /// Each fold is scored by detectors fitted only on the folds before it (time-series cross-validation): the scores include
    /// how far the scene moves on after the images a detector knows, as production images always come later.
    /// </summary>
    ForwardChaining,
}
