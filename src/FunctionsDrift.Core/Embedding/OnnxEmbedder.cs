using System.Collections.Concurrent;
using Microsoft.ML.OnnxRuntime;
using SkiaSharp;

namespace FunctionsDrift.Core.Embedding;

/// <summary>Options for the ONNX Runtime session.</summary>
public readonly record struct EmbedderOptions
{
    public EmbedderOptions() { }
    /// <summary>Threads inside one inference. 0 lets ONNX Runtime choose (one per core).</summary>
    public int IntraOpThreads { get; init; }
}

/// <summary>
/// Turns an image into the model's embedding (ResNet18: 512-d average-pool features) with ONNX Runtime.
/// One session per process; input and output tensors are pooled per concurrent caller, so the hot path allocates nothing.
/// Thread-safe.
/// </summary>
public sealed class OnnxEmbedder : IDisposable
{
    private readonly InferenceSession _session;
    private readonly ConcurrentBag<Buffers> _pool = new();
    private readonly float[] _scale = new float[3];
    private readonly float[] _offset = new float[3];
    private readonly int[] _channelOfPlane;
    private readonly float[]? _offsetImage; // per plane element, replaces _offset when the manifest has a mean image

    private readonly Lazy<OnnxEmbedder> _crops;

    public ModelManifest Manifest { get; }
    public int Dimension => Manifest.EmbeddingSize;

    /// <summary>
    /// Side of the square input <see cref="EmbedCrop"/> feeds the network. A third of the full input's work, and on the
    /// benchmark's crops it separated pasted objects from clean frames better than 224 did (README, "region").
    /// </summary>
    public const int CropInputSize = 128;

    /// <summary>
    /// The crop session's manifest: for the bundled ResNet18, its INT8 build whatever precision this embedder runs, because
    /// region's crops measured the same through it as through FP32 at under a third of the time (4.5 against 15.7 ms);
    /// for any other model, the model itself.
    /// </summary>
    private static ModelManifest CropManifest(ModelManifest m) =>
        (ModelManifest.PrecisionOfIdentity(m.Identity) is not null ? ModelManifest.Load(ModelManifest.PathFor(EmbedderPrecision.Int8)) : m).ForCrops(CropInputSize);

    /// <summary>Shape (channels, height, width) of each of <see cref="ModelManifest.FeatureMaps"/>, in manifest order.</summary>
    public IReadOnlyList<FeatureMapShape> FeatureMapShapes { get; }

    /// <summary>Floats written by <see cref="Embed(SKBitmap, Span{float}, Span{float})"/> into its feature-map span: all maps, concatenated.</summary>
    public int FeatureMapLength { get; }

    public OnnxEmbedder(ModelManifest manifest, EmbedderOptions options = default)
    {
        Manifest = manifest;
        // One thread: a small crop gains little from more, and a second spinning thread pool would slow the main pass.
        _crops = new(() => new OnnxEmbedder(CropManifest(manifest), options with { IntraOpThreads = 1 }));
        var path = manifest.QuantizedFrom is null ? manifest.VerifyModelFile() : QuantizedModelFile.Ensure(manifest);
        var so = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            IntraOpNumThreads = options.IntraOpThreads,
        };
        try
        {
            _session = manifest.FeatureMaps.Length == 0 && !manifest.ResizesGraphInput ? new InferenceSession(path, so) : new InferenceSession(Prepared(path, manifest), so);
        }
        catch (Exception e) when (e is OnnxRuntimeException or Google.Protobuf.InvalidProtocolBufferException)
        {
            throw new DriftException($"model {path} could not be loaded by ONNX Runtime: {e.Message}", e);
        }
        if (!_session.InputMetadata.ContainsKey(manifest.InputName) || !_session.OutputMetadata.ContainsKey(manifest.OutputName))
        {
            var inputs = string.Join(", ", _session.InputMetadata.Keys);
            var outputs = string.Join(", ", _session.OutputMetadata.Keys);
            _session.Dispose();
            throw new DriftException($"model {manifest.Name}: expected input {manifest.InputName} and output {manifest.OutputName}, the file has inputs [{inputs}] and outputs [{outputs}]");
        }
        FeatureMapShapes = manifest.FeatureMaps.Select(name => FeatureMapShape.Of(name, _session.OutputMetadata[name].Dimensions)).ToArray();
        FeatureMapLength = FeatureMapShapes.Sum(s => s.Length);
        // value = (pixel * PixelScale - mean) / std  ==  pixel * scale + offset
        for (int c = 0; c < 3; c++)
        {
            _scale[c] = manifest.PixelScale / manifest.Std[c];
            _offset[c] = -manifest.Mean[c] / manifest.Std[c];
        }
        _channelOfPlane = manifest.PixelOrder == "BGR" ? [2, 1, 0] : [0, 1, 2];
        if (manifest.VerifyMeanImageModel() is { } meanPath)
        {
            _offsetImage = LoadOffsetImage(meanPath, manifest, _channelOfPlane);
        }
    }

    /// <summary>
    /// The model as the manifest wants it, edited in memory after the file's hash is checked (OnnxSharp's protobuf types):
    /// <see cref="ModelManifest.FeatureMaps"/> added as graph outputs, so that one inference returns the intermediate
    /// activations beside the embedding; and, for another input size, the input's fixed dimensions and the final global
    /// average pool's kernel set to match, so that the same weights embed a small crop for a fraction of the work.
    /// </summary>
    private static byte[] Prepared(string path, ModelManifest manifest)
    {
        var model = Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        var graph = model.Graph;
        foreach (var name in manifest.FeatureMaps)
        {
            if (graph.Output.Any(o => o.Name == name))
            {
                continue;
            }
            var info = graph.ValueInfo.FirstOrDefault(v => v.Name == name)
                       ?? throw new DriftException($"model {path}: feature map {name} is not a value of the graph");
            graph.Output.Add(info.Clone());
        }
        if (manifest.ResizesGraphInput)
        {
            // ResNet halves the input five times; the last pool must cover what is left, and the stored intermediate
            // shapes no longer hold, so ONNX Runtime infers them again.
            if (manifest.InputWidth % 32 != 0 || manifest.InputHeight % 32 != 0 || manifest.FeatureMaps.Length > 0)
            {
                throw new DriftException($"model {manifest.Name}: another input size must be a multiple of 32 and read no feature maps");
            }
            var dims = graph.Input.Single(i => i.Name == manifest.InputName).Type.TensorType.Shape.Dim;
            dims[2].DimValue = manifest.InputHeight;
            dims[3].DimValue = manifest.InputWidth;
            var pool = graph.Node.Single(n => n.Output.Contains(manifest.OutputName));
            var kernel = pool.Attribute.SingleOrDefault(a => a.Name == "kernel_shape");
            if (pool.OpType != "AveragePool" || kernel is null)
            {
                throw new DriftException($"model {manifest.Name}: output {manifest.OutputName} is not an average pool, so the input size cannot change");
            }
            kernel.Ints.Clear();
            kernel.Ints.Add(manifest.InputHeight / 32);
            kernel.Ints.Add(manifest.InputWidth / 32);
            graph.ValueInfo.Clear();
            // Other outputs (an INT8 file keeps its feature maps) would carry their 224-input shapes.
            foreach (var extra in graph.Output.Where(o => o.Name != manifest.OutputName).ToList()) graph.Output.Remove(extra);
        }
        return Google.Protobuf.MessageExtensions.ToByteArray(model);
    }

    /// <summary>Runs the preprocessing model once on zeros: its output is the negated mean image, divided here by std.</summary>
    private static float[] LoadOffsetImage(string path, ModelManifest m, int[] channelOfPlane)
    {
        int plane = m.InputWidth * m.InputHeight;
        var zeros = new float[3 * plane];
        try
        {
            using var session = new InferenceSession(path);
            using var input = OrtValue.CreateTensorValueFromMemory(zeros, [1, 3, m.InputHeight, m.InputWidth]);
            using var runOptions = new RunOptions();
            using var outputs = session.Run(runOptions, [session.InputMetadata.Keys.First()], [input], [session.OutputMetadata.Keys.First()]);
            var offsets = outputs[0].GetTensorDataAsSpan<float>().ToArray();
            if (offsets.Length != 3 * plane)
            {
                throw new DriftException($"mean image model {path} gives {offsets.Length} values, expected {3 * plane}");
            }
            for (int p = 0; p < 3; p++)
            {
                float std = m.Std[channelOfPlane[p]];
                for (int i = 0; i < plane; i++) offsets[p * plane + i] /= std;
            }
            return offsets;
        }
        catch (OnnxRuntimeException e)
        {
            throw new DriftException($"mean image model {path} could not be run by ONNX Runtime: {e.Message}", e);
        }
    }

    /// <summary>Loads the bundled ResNet18 manifest and model of <paramref name="precision"/>.</summary>
    public static OnnxEmbedder CreateDefault(EmbedderOptions options = default, EmbedderPrecision precision = EmbedderPrecisions.Default) =>
        new(ModelManifest.Load(ModelManifest.PathFor(precision)), options);

    /// <summary>Writes the network input for <paramref name="image"/> exactly as <see cref="Embed(SKBitmap, Span{float})"/> makes it.</summary>
    public void PrepareInput(SKBitmap image, float[] tensor)
    {
        if (tensor.Length < 3 * Manifest.InputWidth * Manifest.InputHeight)
        {
            throw new ArgumentException($"need {3 * Manifest.InputWidth * Manifest.InputHeight} floats", nameof(tensor));
        }
        var buffers = Rent();
        try
        {
            ResizeInto(image, buffers.Input);
            FillTensor(buffers.Input, tensor);
        }
        finally
        {
            _pool.Add(buffers);
        }
    }

    /// <summary>Resizes <paramref name="image"/> to the model input as the manifest says and writes the embedding.</summary>
    public void Embed(SKBitmap image, Span<float> embedding) => Embed(image, embedding, default);

    /// <summary>
    /// As <see cref="Embed(SKBitmap, Span{float})"/>, and copies the feature maps of the same inference into
    /// <paramref name="featureMaps"/> (<see cref="FeatureMapLength"/> floats; empty to skip).
    /// </summary>
    public void Embed(SKBitmap image, Span<float> embedding, Span<float> featureMaps)
    {
        if (!featureMaps.IsEmpty && featureMaps.Length < FeatureMapLength)
        {
            throw new ArgumentException($"need {FeatureMapLength} floats for the feature maps", nameof(featureMaps));
        }
        var buffers = Rent();
        try
        {
            ResizeInto(image, buffers.Input);
            FillTensor(buffers.Input, buffers.Tensor);
            Run(buffers);
            buffers.Output.AsSpan(0, Dimension).CopyTo(embedding);
            if (!featureMaps.IsEmpty)
            {
                buffers.FeatureMaps.AsSpan(0, FeatureMapLength).CopyTo(featureMaps);
            }
        }
        finally
        {
            _pool.Add(buffers);
        }
    }

    /// <summary>Embeds pixels that are already at the model's input size (no resampling). Used by the parity test.</summary>
    public void EmbedExact(SKBitmap inputSized, Span<float> embedding)
    {
        if (inputSized.Width != Manifest.InputWidth || inputSized.Height != Manifest.InputHeight)
        {
            throw new ArgumentException($"expected {Manifest.InputWidth}×{Manifest.InputHeight} pixels", nameof(inputSized));
        }
        var buffers = Rent();
        try
        {
            using var rgba = inputSized.ColorType == SKColorType.Rgba8888 ? null : inputSized.Copy(SKColorType.Rgba8888);
            FillTensor(rgba ?? inputSized, buffers.Tensor);
            Run(buffers);
            buffers.Output.AsSpan(0, Dimension).CopyTo(embedding);
        }
        finally
        {
            _pool.Add(buffers);
        }
    }

    /// <summary>
    /// The embedding of a small crop, from a second session at <see cref="CropInputSize"/> (made on first use; see
    /// <see cref="CropManifest"/>): what the network makes of one place in the frame, seen whole.
    /// </summary>
    public void EmbedCrop(SKBitmap crop, Span<float> embedding) => _crops.Value.Embed(crop, embedding);

    private void ResizeInto(SKBitmap image, SKBitmap target)
    {
        // Mipmapped linear sampling: a cheap, alias-free downscale from the reduced-scale decode.
        var sampling = new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear);
        using var canvas = new SKCanvas(target);
        // Wrapping the pixels instead of SKImage.FromBitmap skips a copy of the mutable bitmap: same pixels out, about a
        // third less time in this resize.
        using var pixmap = image.PeekPixels();
        using var src = pixmap is null ? SKImage.FromBitmap(image) : SKImage.FromPixels(pixmap);
        var dest = new SKRect(0, 0, target.Width, target.Height);
        if (Manifest.Resize == "center-crop")
        {
            int side = Math.Min(image.Width, image.Height);
            var crop = SKRect.Create((image.Width - side) / 2f, (image.Height - side) / 2f, side, side);
            canvas.DrawImage(src, crop, dest, sampling);
        }
        else
        {
            canvas.DrawImage(src, new SKRect(0, 0, image.Width, image.Height), dest, sampling);
        }
    }

    private unsafe void FillTensor(SKBitmap rgba, float[] tensor)
    {
        int w = Manifest.InputWidth, h = Manifest.InputHeight, plane = w * h;
        byte* basePtr = (byte*)rgba.GetPixels();
        int rowBytes = rgba.RowBytes;
        int c0 = _channelOfPlane[0], c1 = _channelOfPlane[1], c2 = _channelOfPlane[2];
        float s0 = _scale[c0], s1 = _scale[c1], s2 = _scale[c2];
        float o0 = _offset[c0], o1 = _offset[c1], o2 = _offset[c2];
        fixed (float* t = tensor)
        {
            if (_offsetImage is { } offsets)
            {
                fixed (float* off = offsets)
                {
                    for (int y = 0; y < h; y++)
                    {
                        byte* row = basePtr + (long)y * rowBytes;
                        float* p0 = t + y * w, p1 = p0 + plane, p2 = p1 + plane;
                        float* q0 = off + y * w, q1 = q0 + plane, q2 = q1 + plane;
                        for (int x = 0; x < w; x++)
                        {
                            byte* px = row + x * 4;
                            p0[x] = px[c0] * s0 + q0[x];
                            p1[x] = px[c1] * s1 + q1[x];
                            p2[x] = px[c2] * s2 + q2[x];
                        }
                    }
                }
                return;
            }
            for (int y = 0; y < h; y++)
            {
                byte* row = basePtr + (long)y * rowBytes;
                float* p0 = t + y * w, p1 = p0 + plane, p2 = p1 + plane;
                for (int x = 0; x < w; x++)
                {
                    byte* px = row + x * 4;
                    p0[x] = px[c0] * s0 + o0;
                    p1[x] = px[c1] * s1 + o1;
                    p2[x] = px[c2] * s2 + o2;
                }
            }
        }
    }

    private void Run(Buffers b)
    {
        _session.Run(b.RunOptions, b.InputNames, b.InputValues, b.OutputNames, b.OutputValues);
    }

    private Buffers Rent() => _pool.TryTake(out var b) ? b : new Buffers(this);

    public void Dispose()
    {
        while (_pool.TryTake(out var b))
        {
            b.Dispose();
        }
        if (_crops.IsValueCreated) _crops.Value.Dispose();
        _session.Dispose();
    }

    /// <summary>Pinned input/output tensors bound once as OrtValues, reused across calls.</summary>
    private sealed class Buffers : IDisposable
    {
        public readonly SKBitmap Input;
        public readonly float[] Tensor;
        public readonly float[] Output;
        public readonly float[] FeatureMaps;
        public readonly RunOptions RunOptions = new();
        public readonly string[] InputNames;
        public readonly string[] OutputNames;
        public readonly OrtValue[] InputValues;
        public readonly OrtValue[] OutputValues;

        public Buffers(OnnxEmbedder owner)
        {
            var m = owner.Manifest;
            Input = new SKBitmap(new SKImageInfo(m.InputWidth, m.InputHeight, SKColorType.Rgba8888, SKAlphaType.Unpremul));
            Tensor = GC.AllocateArray<float>(3 * m.InputWidth * m.InputHeight, pinned: true);
            var outShape = owner._session.OutputMetadata[m.OutputName].Dimensions;
            long outCount = 1;
            foreach (var d in outShape)
            {
                outCount *= Math.Max(1, d);
            }
            if (outCount != m.EmbeddingSize)
            {
                throw new DriftException($"model {m.Name}: output {m.OutputName} has {outCount} values, manifest says {m.EmbeddingSize}");
            }
            Output = GC.AllocateArray<float>((int)outCount, pinned: true);
            FeatureMaps = GC.AllocateArray<float>(owner.FeatureMapLength, pinned: true);
            InputNames = [m.InputName];
            OutputNames = [m.OutputName, .. m.FeatureMaps];
            InputValues = [OrtValue.CreateTensorValueFromMemory(Tensor, [1, 3, m.InputHeight, m.InputWidth])];
            var outputs = new List<OrtValue> { OrtValue.CreateTensorValueFromMemory(Output, outShape.Select(d => (long)Math.Max(1, d)).ToArray()) };
            int offset = 0;
            foreach (var shape in owner.FeatureMapShapes)
            {
                // Each map is bound to its slice of one pinned buffer, so ONNX Runtime writes the maps in place.
                outputs.Add(OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, FeatureMaps.AsMemory(offset, shape.Length),
                    [1, shape.Channels, shape.Height, shape.Width]));
                offset += shape.Length;
            }
            OutputValues = [.. outputs];
        }

        public void Dispose()
        {
            Input.Dispose();
            RunOptions.Dispose();
            foreach (var v in InputValues.Concat(OutputValues))
            {
                v.Dispose();
            }
        }
    }
}
