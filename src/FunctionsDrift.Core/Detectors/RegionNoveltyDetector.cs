using System.Globalization;
using System.Numerics.Tensors;
using FunctionsDrift.Core.Features;
using FunctionsDrift.Core.Model;

namespace FunctionsDrift.Core.Detectors;

/// <summary>
/// The place `patch` finds most novel, seen whole: the ResNet18 embedding of a crop around the worst patch
/// (<see cref="ImageFeatures.RegionProbe"/>), scored by its distance to the nearest crop of the reference's own most novel
/// places (<see cref="RegionPlan"/>). Those are where people and cars were, so a person somewhere new looks like the
/// people the reference showed; a butterfly or a bowl of fruit looks like nothing in it, even where its texture matched
/// the lawn or the leaves patch by patch.
/// </summary>
public sealed class RegionNoveltyDetector : IDetector
{
    public const string KindName = "region";
    private readonly float[] _bank; // m × d, rows of unit length
    private readonly int _d;
    public string Name => KindName;

    internal RegionNoveltyDetector(float[] bank, int d)
    {
        _bank = bank; _d = d;
    }

    /// <summary>Reference crops in the memory.</summary>
    public int BankSize => _bank.Length / _d;

    public DetectorRaw Score(ImageFeatures features)
    {
        var x = features.RegionProbe;
        if (x.Length != _d)
        {
            throw new DriftException("the features have no crop around their most novel patch; extract them for this model (FeatureExtractor.Extract with ReferenceModel.RegionCell)");
        }
        float best = float.MaxValue;
        for (int j = 0; j + _d <= _bank.Length; j += _d)
        {
            best = Math.Min(best, TensorPrimitives.Distance(x, _bank.AsSpan(j, _d)));
        }
        return new DetectorRaw(best, $"the crop around the most novel patch looks like no reference crop (distance {best:0.000})");
    }

    public void Save(ModelArchive archive)
    {
        archive.Arrays["region.bank"] = _bank;
        archive.Metadata["region.d"] = _d.ToString(CultureInfo.InvariantCulture);
    }

    public sealed class Kind : IDetectorKind
    {
        public string Name => KindName;
        public string Description => $"ResNet18 embedding of a crop 1/{RegionCrop.WidthFraction} of the frame wide around patch's worst cell, distance to the nearest crop of the reference's own most novel places";
        public bool NeedsEmbedding => true;
        public bool NeedsPatches => true;
        public bool NeedsRegions => true;

        public IDetector Fit(IReadOnlyList<ImageFeatures> reference, FitOptions options)
        {
            var rows = reference.Select(f => f.RegionBank).Where(b => b.Length > 0).ToList();
            int d = reference[0].Embedding.Length; // the crops go through the same network
            if (rows.Count == 0 || d == 0 || rows.Any(r => r.Length % d != 0))
            {
                throw new DriftException("the reference features have no region crops; fit through RegionPlan (drift fit and the refit do)");
            }
            return new RegionNoveltyDetector(rows.SelectMany(r => r).ToArray(), d);
        }

        public IDetector Load(ModelArchive archive)
        {
            var bank = archive.Array("region.bank");
            int d = int.Parse(archive.Meta("region.d"), CultureInfo.InvariantCulture);
            if (d <= 0 || bank.Length == 0 || bank.Length % d != 0) throw new DriftException("reference model: the region bank has the wrong size");
            return new RegionNoveltyDetector(bank, d);
        }
    }
}
