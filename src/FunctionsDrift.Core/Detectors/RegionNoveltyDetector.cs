using System.Globalization;
using System.Numerics.Tensors;
using FunctionsDrift.Core.Features;
using FunctionsDrift.Core.Model;

namespace FunctionsDrift.Core.Detectors;

/// <summary>
/// The place `patch` finds most novel, seen whole at one scale of <see cref="RegionCrop.WidthFractions"/>: the ResNet18
/// embedding of a crop around the worst patch (<see cref="ImageFeatures.RegionProbe"/>), scored by its distance to the
/// nearest crop of the reference's own most novel places at the same scale (<see cref="RegionPlan"/>). Those are where
/// people and cars were, so a person somewhere new looks like the people the reference showed; a butterfly or a bowl of
/// fruit looks like nothing in it, even where its texture matched the lawn or the leaves patch by patch. <c>region</c>
/// looks at an eighth of the frame, <c>wide</c> at a quarter around the same place; each is calibrated on its own.
/// </summary>
public sealed class RegionNoveltyDetector : IDetector
{
    public const string KindName = "region";
    public const string WideKindName = "wide";
    /// <summary>Detector names by scale, in <see cref="RegionCrop.WidthFractions"/> order.</summary>
    public static readonly IReadOnlyList<string> KindNames = [KindName, WideKindName];

    private readonly float[] _bank; // m × d, rows of unit length
    private readonly int _d;
    private readonly int _scale;
    public string Name => KindNames[_scale];

    internal RegionNoveltyDetector(int scale, float[] bank, int d)
    {
        _scale = scale; _bank = bank; _d = d;
    }

    /// <summary>Reference crops in the memory.</summary>
    public int BankSize => _bank.Length / _d;

    public DetectorRaw Score(ImageFeatures features)
    {
        var probe = features.RegionProbe;
        if (probe.Length != _d * RegionCrop.WidthFractions.Count)
        {
            throw new DriftException("the features have no crop around their most novel patch; extract them for this model (FeatureExtractor.Extract with ReferenceModel.RegionCell)");
        }
        var x = probe.AsSpan(_scale * _d, _d);
        float best = float.MaxValue;
        for (int j = 0; j + _d <= _bank.Length; j += _d)
        {
            best = Math.Min(best, TensorPrimitives.Distance(x, _bank.AsSpan(j, _d)));
        }
        return new DetectorRaw(best, $"the crop 1/{RegionCrop.WidthFractions[_scale]} of the frame wide around the most novel patch looks like no reference crop (distance {best:0.000})");
    }

    public void Save(ModelArchive archive)
    {
        archive.Arrays[$"{Name}.bank"] = _bank;
        archive.Metadata[$"{Name}.d"] = _d.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>The kind for scale <paramref name="scale"/> of <see cref="RegionCrop.WidthFractions"/>.</summary>
    public sealed class Kind(int scale) : IDetectorKind
    {
        public string Name => KindNames[scale];
        public string Description => $"ResNet18 embedding of a crop 1/{RegionCrop.WidthFractions[scale]} of the frame wide around patch's worst cell, distance to the nearest such crop of the reference's own most novel places";
        public bool NeedsEmbedding => true;
        public bool NeedsPatches => true;
        public bool NeedsRegions => true;

        public IDetector Fit(IReadOnlyList<ImageFeatures> reference, FitOptions options)
        {
            int d = reference[0].Embedding.Length; // the crops go through the same network
            int scales = RegionCrop.WidthFractions.Count;
            var rows = reference.Select(f => f.RegionBank).Where(b => b.Length > 0).ToList();
            if (rows.Count == 0 || d == 0 || rows.Any(r => r.Length % (d * scales) != 0))
            {
                throw new DriftException("the reference features have no region crops; fit through RegionPlan (drift fit and the refit do)");
            }
            // Each place's crops are stored scale by scale; this detector's memory is its own scale's rows.
            var bank = new List<float>();
            foreach (var r in rows)
            {
                for (int at = scale * d; at < r.Length; at += scales * d) bank.AddRange(r.AsSpan(at, d));
            }
            return new RegionNoveltyDetector(scale, bank.ToArray(), d);
        }

        public IDetector Load(ModelArchive archive)
        {
            var bank = archive.Array($"{Name}.bank");
            int d = int.Parse(archive.Meta($"{Name}.d"), CultureInfo.InvariantCulture);
            if (d <= 0 || bank.Length == 0 || bank.Length % d != 0) throw new DriftException($"reference model: the {Name} bank has the wrong size");
            return new RegionNoveltyDetector(scale, bank, d);
        }
    }
}
