using FunctionsDrift.Core.Features;
using FunctionsDrift.Core.Model;
using System.Numerics.Tensors;

namespace FunctionsDrift.Core.Detectors;

/// <summary>
/// Mean cosine distance from the L2-normalised embedding to its k nearest reference embeddings
/// (deep nearest-neighbour out-of-distribution score, Sun et al. 2022).
/// </summary>
public sealed class NearestNeighbourDetector : IDetector
{
    public const string KindName = "knn";
    private readonly float[] _bank; // n × d, normalised rows
    private readonly int _n, _d, _k;
    public string Name => KindName;

    private NearestNeighbourDetector(float[] bank, int n, int d, int k)
    {
        _bank = bank; _n = n; _d = d; _k = Math.Min(k, n);
    }

    public DetectorRaw Score(ImageFeatures features)
    {
        var x = VectorMath.Normalised(features.Embedding);
        Span<float> best = stackalloc float[_k];
        best.Fill(float.MinValue);
        for (int i = 0; i < _n; i++)
        {
            float sim = TensorPrimitives.Dot(x, _bank.AsSpan(i * _d, _d));
            if (sim > best[_k - 1])
            {
                int j = _k - 1;
                while (j > 0 && best[j - 1] < sim) { best[j] = best[j - 1]; j--; }
                best[j] = sim;
            }
        }
        double dist = 0;
        foreach (var s in best) dist += 1 - s;
        dist /= _k;
        return new DetectorRaw(dist, $"cosine distance to {_k} nearest reference images {dist:0.0000}");
    }

    public void Save(ModelArchive archive)
    {
        archive.Arrays["knn.bank"] = _bank;
        archive.Metadata["knn.k"] = _k.ToString(System.Globalization.CultureInfo.InvariantCulture);
        archive.Metadata["knn.d"] = _d.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    public sealed class Kind : IDetectorKind
    {
        public string Name => KindName;
        public string Description => "ResNet18 embedding, mean cosine distance to the k nearest reference images";
        public bool NeedsEmbedding => true;
        /// <summary>One block: the whole-frame embedding drifts with time since the reference.</summary>
        public int CalibrationGap => 1;

        public IDetector Fit(IReadOnlyList<ImageFeatures> reference, FitOptions options)
        {
            int n = reference.Count, d = reference[0].Embedding.Length;
            var bank = new float[n * d];
            for (int i = 0; i < n; i++) VectorMath.Normalised(reference[i].Embedding).CopyTo(bank, i * d);
            return new NearestNeighbourDetector(bank, n, d, options.Neighbours);
        }

        public IDetector Load(ModelArchive archive)
        {
            var bank = archive.Array("knn.bank");
            int k = int.Parse(archive.Meta("knn.k"), System.Globalization.CultureInfo.InvariantCulture);
            int d = int.Parse(archive.Meta("knn.d"), System.Globalization.CultureInfo.InvariantCulture);
            if (d <= 0 || bank.Length % d != 0) throw new DriftException("reference model: kNN bank has the wrong size");
            return new NearestNeighbourDetector(bank, bank.Length / d, d, k);
        }
    }
}
