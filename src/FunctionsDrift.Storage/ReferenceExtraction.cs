using Azure;
using FunctionsDrift.Core.Features;

namespace FunctionsDrift.Storage;

/// <summary>What <see cref="ReferenceImages.ExtractAsync"/> got from the reference container.</summary>
/// <param name="Features">The usable images' features, in name order.</param>
/// <param name="Sources">Each feature's blob name and the ETag it was read at, in the same order.</param>
/// <param name="ContainerFound">False when the container does not exist (then there are no features).</param>
/// <param name="Oversized">Images skipped at the listing for their size.</param>
internal sealed record ReferenceExtraction(IReadOnlyList<ImageFeatures> Features, IReadOnlyList<(string Name, ETag ETag)> Sources, bool ContainerFound, int Oversized)
{
    /// <summary>Images whose features came from the <see cref="ReferenceFeatureCache"/> instead of an extraction.</summary>
    public int Reused { get; init; }
}
