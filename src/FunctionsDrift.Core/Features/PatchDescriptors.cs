using FunctionsDrift.Core.Embedding;

namespace FunctionsDrift.Core.Features;

/// <summary>
/// Patch descriptors from intermediate CNN activations, after PatchCore (Roth et al., CVPR 2022): each map is brought to
/// the grid of the coarsest map by area averaging, reduced by averaging groups of adjacent channels, and the maps are
/// concatenated per grid position.
/// </summary>
/// <remarks>
/// PatchCore also averages each map over a 3×3 neighbourhood. Here that blurred a small object (6 % of the frame width is
/// about one layer-3 cell) into its neighbours: on a street camera 6 of 15 pasted objects scored above every clean frame
/// with it, 14 of 15 without it. Layer 3's receptive field already spans the neighbourhood.
/// </remarks>
public static class PatchDescriptors
{
    /// <summary>Adjacent channels averaged into one descriptor dimension (PatchCore's adaptive average pooling over channels).</summary>
    public const int ChannelGroup = 4;

    /// <summary>Grid side (the coarsest map's height and width must be equal) and descriptor length for these maps.</summary>
    public static (int Grid, int Dim) Layout(IReadOnlyList<FeatureMapShape> shapes, int channelGroup = ChannelGroup)
    {
        if (shapes.Count == 0) return (0, 0);
        int grid = shapes.Min(s => s.Height);
        foreach (var s in shapes)
        {
            if (s.Height != s.Width || s.Height % grid != 0 || s.Channels % channelGroup != 0)
            {
                throw new DriftException($"feature map {s.Name} ({s.Channels}×{s.Height}×{s.Width}) cannot be pooled to a {grid}×{grid} grid in groups of {channelGroup} channels");
            }
        }
        return (grid, shapes.Sum(s => s.Channels / channelGroup));
    }

    /// <summary>Writes grid² descriptors of <c>Dim</c> floats each, row-major by grid position, into <paramref name="output"/>.</summary>
    public static void Compute(ReadOnlySpan<float> maps, IReadOnlyList<FeatureMapShape> shapes, Span<float> output, int channelGroup = ChannelGroup)
    {
        var (grid, dim) = Layout(shapes, channelGroup);
        if (output.Length != grid * grid * dim) throw new ArgumentException($"need {grid * grid * dim} floats", nameof(output));
        output.Clear();
        int mapOffset = 0, dimOffset = 0;
        foreach (var s in shapes)
        {
            int h = s.Height, w = s.Width, f = h / grid;
            float scale = 1f / (channelGroup * f * f);
            for (int c = 0; c < s.Channels; c++)
            {
                var plane = maps.Slice(mapOffset + c * h * w, h * w);
                int d = dimOffset + c / channelGroup;
                for (int y = 0; y < h; y++)
                {
                    int gy = y / f;
                    for (int x = 0; x < w; x++)
                    {
                        output[(gy * grid + x / f) * dim + d] += plane[y * w + x] * scale;
                    }
                }
            }
            mapOffset += s.Length;
            dimOffset += s.Channels / channelGroup;
        }
    }
}
