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

    /// <summary>
    /// Largest batch for <see cref="OnnxEmbedder.EmbedBatch"/>. Above 1, a model whose batch dimension is fixed at 1 (like the
    /// packaged ResNet18) gets a dynamic batch dimension at load, in memory, after its hash is checked.
    /// </summary>
    /// <remarks>Batches of 4 ran about 20 % more images/s than single images on a 2-core CPU (bigger convolution GEMMs).</remarks>
    public int MaxBatch { get; init; } = 1;
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

    public ModelManifest Manifest { get; }
    public int Dimension => Manifest.EmbeddingSize;
    public int MaxBatch { get; }

    public OnnxEmbedder(ModelManifest manifest, EmbedderOptions options = default)
    {
        Manifest = manifest;
        MaxBatch = Math.Max(1, options.MaxBatch);
        var path = manifest.VerifyModelFile();
        var so = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            IntraOpNumThreads = options.IntraOpThreads,
        };
        try
        {
            _session = MaxBatch > 1 ? new InferenceSession(WithDynamicBatch(path), so) : new InferenceSession(path, so);
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

    /// <summary>The model with its leading (batch) dimension made dynamic, via OnnxSharp's graph editing.</summary>
    private static byte[] WithDynamicBatch(string path)
    {
        var model = Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        Onnx.GraphExtensions.SetDim(model.Graph);
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

    /// <summary>Loads the bundled ResNet18 manifest and model.</summary>
    public static OnnxEmbedder CreateDefault(EmbedderOptions options = default) => new(ModelManifest.Load(ModelManifest.DefaultPath), options);

    /// <summary>Resizes <paramref name="image"/> to the model input as the manifest says and writes the embedding.</summary>
    public void Embed(SKBitmap image, Span<float> embedding)
    {
        var buffers = Rent();
        try
        {
            ResizeInto(image, buffers.Input);
            FillTensor(buffers.Input, buffers.Tensor, 0);
            Run(buffers, 1);
            buffers.Output.AsSpan(0, Dimension).CopyTo(embedding);
        }
        finally
        {
            _pool.Add(buffers);
        }
    }

    /// <summary>Embeds several images in batches of up to <see cref="MaxBatch"/>; <paramref name="embeddings"/>[i] receives image i.</summary>
    public void EmbedBatch(IReadOnlyList<SKBitmap> images, IReadOnlyList<float[]> embeddings)
    {
        if (images.Count != embeddings.Count)
        {
            throw new ArgumentException("one output per image", nameof(embeddings));
        }
        var buffers = Rent();
        try
        {
            for (int start = 0; start < images.Count; start += MaxBatch)
            {
                int b = Math.Min(MaxBatch, images.Count - start);
                for (int i = 0; i < b; i++)
                {
                    ResizeInto(images[start + i], buffers.Input);
                    FillTensor(buffers.Input, buffers.Tensor, i);
                }
                Run(buffers, b);
                for (int i = 0; i < b; i++)
                {
                    buffers.Output.AsSpan(i * Dimension, Dimension).CopyTo(embeddings[start + i]);
                }
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
            FillTensor(rgba ?? inputSized, buffers.Tensor, 0);
            Run(buffers, 1);
            buffers.Output.AsSpan(0, Dimension).CopyTo(embedding);
        }
        finally
        {
            _pool.Add(buffers);
        }
    }

    private void ResizeInto(SKBitmap image, SKBitmap target)
    {
        // Mipmapped linear sampling: a cheap, alias-free downscale from the reduced-scale decode.
        var sampling = new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear);
        using var canvas = new SKCanvas(target);
        using var src = SKImage.FromBitmap(image);
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

    private unsafe void FillTensor(SKBitmap rgba, float[] tensorBuffer, int index)
    {
        int w = Manifest.InputWidth, h = Manifest.InputHeight, plane = w * h;
        var tensor = tensorBuffer.AsSpan(index * 3 * plane, 3 * plane);
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

    private void Run(Buffers b, int batch)
    {
        var (inputs, outputs) = b.Values(batch);
        _session.Run(b.RunOptions, b.InputNames, inputs, b.OutputNames, outputs);
    }

    private Buffers Rent() => _pool.TryTake(out var b) ? b : new Buffers(this);

    public void Dispose()
    {
        while (_pool.TryTake(out var b))
        {
            b.Dispose();
        }
        _session.Dispose();
    }

    /// <summary>Pinned input/output tensors for up to MaxBatch images, bound as OrtValues once per batch size and reused.</summary>
    private sealed class Buffers : IDisposable
    {
        public readonly SKBitmap Input;
        public readonly float[] Tensor;
        public readonly float[] Output;
        public readonly RunOptions RunOptions = new();
        public readonly string[] InputNames;
        public readonly string[] OutputNames;
        private readonly OrtValue[]?[] _inputs;
        private readonly OrtValue[]?[] _outputs;
        private readonly long[] _outShape;
        private readonly ModelManifest _m;

        public Buffers(OnnxEmbedder owner)
        {
            var m = _m = owner.Manifest;
            Input = new SKBitmap(new SKImageInfo(m.InputWidth, m.InputHeight, SKColorType.Rgba8888, SKAlphaType.Unpremul));
            Tensor = GC.AllocateArray<float>(owner.MaxBatch * 3 * m.InputWidth * m.InputHeight, pinned: true);
            _outShape = owner._session.OutputMetadata[m.OutputName].Dimensions.Select(d => (long)Math.Max(1, d)).ToArray();
            long outCount = _outShape.Aggregate(1L, (a, d) => a * d);
            if (outCount != m.EmbeddingSize)
            {
                throw new DriftException($"model {m.Name}: output {m.OutputName} has {outCount} values per image, manifest says {m.EmbeddingSize}");
            }
            Output = GC.AllocateArray<float>(owner.MaxBatch * (int)outCount, pinned: true);
            InputNames = [m.InputName];
            OutputNames = [m.OutputName];
            _inputs = new OrtValue[]?[owner.MaxBatch + 1];
            _outputs = new OrtValue[]?[owner.MaxBatch + 1];
        }

        public (OrtValue[] Inputs, OrtValue[] Outputs) Values(int batch)
        {
            if (_inputs[batch] is null)
            {
                int inCount = batch * 3 * _m.InputWidth * _m.InputHeight;
                _inputs[batch] = [OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, Tensor.AsMemory(0, inCount), [batch, 3, _m.InputHeight, _m.InputWidth])];
                var shape = (long[])_outShape.Clone();
                shape[0] = batch;
                _outputs[batch] = [OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, Output.AsMemory(0, batch * _m.EmbeddingSize), shape)];
            }
            return (_inputs[batch]!, _outputs[batch]!);
        }

        public void Dispose()
        {
            Input.Dispose();
            RunOptions.Dispose();
            foreach (var v in _inputs.Concat(_outputs))
            {
                if (v is not null) v[0].Dispose();
            }
        }
    }
}
