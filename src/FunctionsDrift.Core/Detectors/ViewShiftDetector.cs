using System.Numerics.Tensors;
using FunctionsDrift.Core.Features;
using FunctionsDrift.Core.Model;

namespace FunctionsDrift.Core.Detectors;

/// <summary>
/// Did the camera move? The image's edge map is cut into tiles, and each tile is slid over the reference's median edge map
/// to the offset where the two correlate best. The score is the median tile offset beyond an effect-size floor, in edge-map
/// pixels: a knocked or re-aimed camera moves every tile the same way, while people, cars and light change a few tiles and
/// leave the static structure where it was.
/// </summary>
/// <remarks>
/// The global embedding and the position-invariant patch detector are built to ignore where things are, so a 3° turn or a
/// shift of 2–3 % of the width passed all of them. Aligning by normalised cross-correlation of gradient magnitudes is the
/// classic template registration (Lewis, "Fast normalized cross-correlation", 1995); being normalised, it is blind to
/// exposure and colour, which the colour and quality detectors cover.
/// </remarks>
public sealed class ViewShiftDetector : IDetector
{
    public const string KindName = "view";

    /// <summary>Largest offset searched, in edge-map pixels (4 % of the width).</summary>
    public const int Radius = 5;
    private const int Tiles = 4;
    /// <summary>An offset must beat staying put by this much correlation, so a tile with nothing static in it stays put.</summary>
    private const double Margin = 0.05;
    /// <summary>Tiles whose reference edge energy is below this share of the median tile's carry no structure to align.</summary>
    private const double StructureShare = 0.1;

    private static readonly int TileWidth = (EdgeMap.Width - 2 * (Radius + 1)) / Tiles;
    private static readonly int TileHeight = (EdgeMap.Height - 2 * (Radius + 1)) / Tiles;

    private readonly float[] _template; // the reference's median edge map
    private readonly float _floor;
    private readonly List<Tile> _tiles;

    public string Name => KindName;

    private ViewShiftDetector(float[] template, float floor)
    {
        _template = template;
        _floor = floor;
        _tiles = StructuredTiles(template);
    }

    public DetectorRaw Score(ImageFeatures features)
    {
        if (features.Edges.Length != EdgeMap.Length) throw new DriftException("the view detector needs the image's edge map");
        if (_tiles.Count < Tiles)
        {
            return new DetectorRaw(0, "too little static structure in the reference to align");
        }
        var offsets = new double[_tiles.Count];
        for (int t = 0; t < _tiles.Count; t++) offsets[t] = BestOffset(features.Edges, _tiles[t]);
        Array.Sort(offsets);
        double median = offsets[offsets.Length / 2];
        int moved = offsets.Count(o => o > _floor);
        return new DetectorRaw(Math.Max(0, median - _floor),
            $"static structure moved {median:0.#} px of {EdgeMap.Width} ({median / EdgeMap.Width:P1} of the width) in the median tile; {moved} of {offsets.Length} tiles moved");
    }

    /// <summary>Distance of the offset where the tile correlates best, or 0 when no offset beats staying put by the margin.</summary>
    private static double BestOffset(float[] edges, Tile tile)
    {
        double stay = Correlation(edges, tile, 0, 0), best = stay + Margin;
        int bx = 0, by = 0;
        for (int dy = -Radius; dy <= Radius; dy++)
        {
            for (int dx = -Radius; dx <= Radius; dx++)
            {
                if (dx == 0 && dy == 0) continue;
                double c = Correlation(edges, tile, dx, dy);
                if (c > best) { best = c; bx = dx; by = dy; }
            }
        }
        return Math.Sqrt(bx * bx + by * by);
    }

    private static double Correlation(float[] edges, Tile tile, int dx, int dy)
    {
        // Row by row in SIMD floats (a row is short enough for float sums), accumulated in doubles.
        double sum = 0, sumSq = 0, cross = 0;
        for (int y = 0; y < TileHeight; y++)
        {
            var row = edges.AsSpan((tile.Y + y + dy) * EdgeMap.Width + tile.X + dx, TileWidth);
            sum += TensorPrimitives.Sum(row);
            sumSq += TensorPrimitives.SumOfSquares(row);
            cross += TensorPrimitives.Dot(row, tile.Centred.AsSpan(y * TileWidth, TileWidth));
        }
        int k = TileWidth * TileHeight;
        double variance = sumSq - sum * sum / k;
        return variance <= 1e-9 ? 0 : cross / Math.Sqrt(variance * tile.Energy);
    }

    private static List<Tile> StructuredTiles(float[] template)
    {
        var tiles = new List<Tile>();
        for (int ty = 0; ty < Tiles; ty++)
        {
            for (int tx = 0; tx < Tiles; tx++)
            {
                int x0 = Radius + 1 + tx * TileWidth, y0 = Radius + 1 + ty * TileHeight;
                var values = new float[TileWidth * TileHeight];
                for (int y = 0; y < TileHeight; y++)
                    for (int x = 0; x < TileWidth; x++) values[y * TileWidth + x] = template[(y0 + y) * EdgeMap.Width + x0 + x];
                float mean = values.Average();
                double energy = 0;
                for (int i = 0; i < values.Length; i++) { values[i] -= mean; energy += values[i] * values[i]; }
                tiles.Add(new Tile(x0, y0, values, energy));
            }
        }
        var energies = tiles.Select(t => (float)t.Energy).ToArray();
        double typical = VectorMath.Median(energies);
        return tiles.Where(t => t.Energy > StructureShare * typical && t.Energy > 1e-6).ToList();
    }

    /// <summary>A tile of the reference edge map: its corner, its values less their mean, and their sum of squares.</summary>
    private readonly record struct Tile(int X, int Y, float[] Centred, double Energy);

    public void Save(ModelArchive archive)
    {
        archive.Arrays["view.template"] = _template;
        archive.Arrays["view.floor"] = [_floor];
    }

    public sealed class Kind : IDetectorKind
    {
        public string Name => KindName;
        public string Description => "edge map aligned tile by tile against the reference's: did the camera move (turn, shift, zoom)?";
        public bool NeedsEmbedding => false;
        public bool NeedsEdges => true;

        public IDetector Fit(IReadOnlyList<ImageFeatures> reference, FitOptions options)
        {
            // The per-pixel median keeps the static structure and drops what moves through the view.
            var template = new float[EdgeMap.Length];
            var column = new float[reference.Count];
            for (int i = 0; i < EdgeMap.Length; i++)
            {
                for (int r = 0; r < reference.Count; r++) column[r] = reference[r].Edges[i];
                template[i] = VectorMath.Median(column);
            }
            return new ViewShiftDetector(template, (float)options.ViewFloor);
        }

        public IDetector Load(ModelArchive archive)
        {
            var (template, floor) = (archive.Array("view.template"), archive.Array("view.floor"));
            if (template.Length != EdgeMap.Length || floor.Length != 1)
            {
                throw new DriftException("reference model: the view detector's arrays have the wrong size");
            }
            return new ViewShiftDetector(template, floor[0]);
        }
    }
}
