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

    /// <summary>Target false-alarm rate of the fused verdict; split across detectors (Bonferroni).</summary>
    public double FalseAlarmRate { get; init; } = 0.01;

    /// <summary>Smallest reference set accepted.</summary>
    public int MinImages { get; init; } = 20;
}
