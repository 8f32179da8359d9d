namespace FunctionsDrift.Core.Features;

/// <summary>
/// Everything the detectors need from one image. Stored with each result, so that a refit reuses features instead of re-embedding.
/// </summary>
/// <param name="Embedding">CNN embedding (512 floats for ResNet18); empty when the embedder is off.</param>
/// <param name="Hsv">Hue, saturation and value histograms, <see cref="ColorFeatures.Bins"/> bins each, each summing to 1.</param>
/// <param name="Quality">Image-quality statistics, named by <see cref="QualityFeatures.Names"/>.</param>
/// <param name="Patch">
/// PatchCore descriptors from the CNN's intermediate maps (<see cref="PatchDescriptors"/>): <see cref="PatchCount"/> rows of
/// equal length, row-major by grid position, for position-invariant local novelty; empty without an embedder that exposes
/// feature maps.
/// </param>
public sealed record ImageFeatures(float[] Embedding, float[] Hsv, float[] Quality, float[] Patch, int Width, int Height)
{
    public bool HasEmbedding => Embedding.Length > 0;

    /// <summary>Rows of <see cref="Patch"/> (grid positions); 0 when there are no descriptors.</summary>
    public int PatchCount { get; init; }

    /// <summary>Side of the square grid the <see cref="PatchCount"/> descriptors cover.</summary>
    public int PatchGrid => (int)Math.Round(Math.Sqrt(PatchCount));

    /// <summary>The view's edge map (<see cref="EdgeMap"/>, row-major); empty for features stored before it existed.</summary>
    public float[] Edges { get; init; } = [];

    /// <summary>
    /// Reference images only (<see cref="FeatureExtractor.ExtractReference(ReadOnlySpan{byte})"/> and its overloads): patch descriptors of the image seen nearer the
    /// camera, <see cref="PatchCount"/> rows like <see cref="Patch"/>; empty for every other image and for stored results.
    /// </summary>
    public float[] ZoomedPatch { get; init; } = [];

    /// <summary>
    /// The embeddings of the crops around the image's most novel patch, one unit-length row per scale of
    /// <see cref="RegionCrop.WidthFractions"/>; the <c>region</c> detectors' input. Model-specific: made while scoring
    /// against a model (the model says where), or for a reference image while fitting (<see cref="Model.RegionPlan"/>);
    /// empty otherwise.
    /// </summary>
    public float[] RegionProbe { get; init; } = [];

    /// <summary>
    /// Reference images only, while fitting: embeddings of crops around the image's most novel places against the rest of
    /// the reference (<see cref="Model.RegionPlan"/>), rows of unit length laid out as <see cref="RegionProbe"/>'s, place
    /// after place; the <c>region</c> detectors' memory.
    /// </summary>
    public float[] RegionBank { get; init; } = [];
}
