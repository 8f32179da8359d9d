using FunctionsDrift.Core.Features;
using FunctionsDrift.Core.Model;
using MathNet.Numerics.LinearAlgebra;
using System.Numerics.Tensors;

namespace FunctionsDrift.Core.Detectors;

/// <summary>
/// The study's embedding route: PCA on the reference embeddings, score = squared reconstruction error of the
/// L2-normalised embedding. Images unlike the reference leave a large residual outside the kept subspace.
/// </summary>
public sealed class PcaReconstructionDetector : IDetector
{
    public const string KindName = "pca";
    private readonly float[] _mean;
    private readonly float[][] _components; // k × d, orthonormal rows
    public string Name => KindName;
    public int Components => _components.Length;

    private PcaReconstructionDetector(float[] mean, float[][] components)
    {
        _mean = mean;
        _components = components;
    }

    public DetectorRaw Score(ImageFeatures features)
    {
        var x = VectorMath.Normalised(features.Embedding);
        TensorPrimitives.Subtract(x, _mean, x);
        float total = TensorPrimitives.Dot(x, x);
        float explained = 0;
        foreach (var c in _components)
        {
            float p = TensorPrimitives.Dot(x, c);
            explained += p * p;
        }
        double residual = Math.Max(0, total - explained);
        return new DetectorRaw(residual, $"reconstruction error {residual:0.0000}");
    }

    public void Save(ModelArchive archive)
    {
        archive.Arrays["pca.mean"] = _mean;
        archive.Arrays["pca.components"] = _components.SelectMany(c => c).ToArray();
        archive.Metadata["pca.count"] = _components.Length.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    public sealed class Kind : IDetectorKind
    {
        public string Name => KindName;
        public string Description => "ResNet18 embedding, PCA reconstruction error (the study's embedding route)";
        public bool NeedsEmbedding => true;
        /// <summary>One block: the whole-frame embedding drifts with time since the reference.</summary>
        public int CalibrationGap => 1;

        public IDetector Fit(IReadOnlyList<ImageFeatures> reference, FitOptions options)
        {
            int n = reference.Count, d = reference[0].Embedding.Length;
            var rows = reference.Select(f => VectorMath.Normalised(f.Embedding)).ToArray();
            var mean = new float[d];
            foreach (var r in rows) TensorPrimitives.Add(mean, r, mean);
            TensorPrimitives.Divide(mean, n, mean);
            var m = Matrix<double>.Build.Dense(n, d, (i, j) => rows[i][j] - mean[j]);
            var svd = m.Svd(computeVectors: true);
            var s2 = svd.S.PointwisePower(2);
            double total = s2.Sum();
            int k = 0;
            double cumulative = 0;
            while (k < s2.Count && k < n - 1 && (cumulative < options.PcaVariance * total || k == 0))
            {
                cumulative += s2[k];
                k++;
            }
            var vt = svd.VT;
            var components = new float[k][];
            for (int c = 0; c < k; c++)
            {
                components[c] = new float[d];
                for (int j = 0; j < d; j++) components[c][j] = (float)vt[c, j];
            }
            return new PcaReconstructionDetector(mean, components);
        }

        public IDetector Load(ModelArchive archive)
        {
            var mean = archive.Array("pca.mean");
            var flat = archive.Array("pca.components");
            int k = int.Parse(archive.Meta("pca.count"), System.Globalization.CultureInfo.InvariantCulture);
            int d = mean.Length;
            if (k < 0 || flat.Length != (long)k * d) throw new DriftException("reference model: PCA components have the wrong size");
            var comps = new float[k][];
            for (int c = 0; c < k; c++) comps[c] = flat.AsSpan(c * d, d).ToArray();
            return new PcaReconstructionDetector(mean, comps);
        }
    }
}
