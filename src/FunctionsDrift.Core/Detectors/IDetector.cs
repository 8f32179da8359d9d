using FunctionsDrift.Core.Calibration;
using FunctionsDrift.Core.Features;
using FunctionsDrift.Core.Model;

namespace FunctionsDrift.Core.Detectors;

/// <summary>A raw detector score (higher = more unusual) and a short reason, e.g. which channel or statistic.</summary>
public readonly record struct DetectorRaw(double Score, string Detail);

/// <summary>A detector fitted on reference features.</summary>
public interface IDetector
{
    string Name { get; }
    DetectorRaw Score(ImageFeatures features);
    /// <summary>Writes the fitted state under arrays and metadata prefixed with <see cref="Name"/>.</summary>
    void Save(ModelArchive archive);
}

/// <summary>Fits and loads one kind of detector.</summary>
public interface IDetectorKind
{
    string Name { get; }
    /// <summary>One line for the README and the CLI: what the detector looks at.</summary>
    string Description { get; }
    bool NeedsEmbedding { get; }
    /// <summary>Needs <see cref="ImageFeatures.Patch"/> (an embedder that exposes feature maps).</summary>
    bool NeedsPatches => false;
    /// <summary>Needs <see cref="ImageFeatures.Edges"/>.</summary>
    bool NeedsEdges => false;
    /// <summary>Needs <see cref="ImageFeatures.RegionBank"/> on the reference and <see cref="ImageFeatures.RegionProbe"/> on scored images.</summary>
    bool NeedsRegions => false;
    /// <summary>
    /// Smallest scale of the calibrated tail, in score units. When every held-out reference score sits at the floor (a
    /// stable scene), the data say nothing about the tail, and without this a score just past the floor would be
    /// extremely significant.
    /// </summary>
    double TailScaleFloor => 0;
    /// <summary>The calibrator of this kind's held-out reference scores (fitting and loading a model both build it here).</summary>
    ConformalCalibrator Calibrator(float[] heldOutScores) => new(heldOutScores, TailScaleFloor);
    /// <summary>
    /// Blocks that forward-chaining calibration leaves between the images the detector is fitted on and those it scores.
    /// A whole-frame embedding moves further the longer after the reference an image comes, and production images come
    /// well after it; calibrating on the very next block would set its threshold for images seconds away.
    /// </summary>
    int CalibrationGap => 0;
    IDetector Fit(IReadOnlyList<ImageFeatures> reference, FitOptions options);
    IDetector Load(ModelArchive archive);
}
