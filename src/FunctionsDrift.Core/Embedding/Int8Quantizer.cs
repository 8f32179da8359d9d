using System.Buffers.Binary;
using Google.Protobuf;
using Onnx;

namespace FunctionsDrift.Core.Embedding;

/// <summary>
/// Turns the FP32 ResNet18 graph (Conv → BatchNormalization → Relu/Add, opset 8) into a static QDQ INT8 graph (opset 13)
/// that ONNX Runtime fuses into <c>QLinearConv</c> and <c>QLinearAdd</c>. Pure arithmetic on the FP32 weights and the
/// committed <see cref="ActivationRanges"/>: the same input bytes give the same output bytes on every machine.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>BatchNormalization is folded into the preceding convolution (computed in double, rounded once).</item>
/// <item>Weights: int8, symmetric, per output channel, limited to −64…64. ONNX Runtime's AVX2 u8s8 kernel sums pairs of
/// products in 16 bits, which saturates with full 8-bit weights (cosine to FP32 falls to about 0.94).</item>
/// <item>Biases: int32 with scale = input scale × weight scale, through a DequantizeLinear: a float bias keeps the
/// convolution in float.</item>
/// <item>Activations: uint8 min/max (the range always includes 0); Relu stays before its QuantizeLinear with zero point 0,
/// so ONNX Runtime absorbs it. Every consumer gets its own DequantizeLinear.</item>
/// <item>The values named in <c>exposed</c> (feature maps) become float graph outputs under their own names, through a
/// DequantizeLinear of their quantized value, so the fused convolutions stay fused.</item>
/// </list>
/// </remarks>
public static class Int8Quantizer
{
    /// <summary>Largest weight magnitude in quantized units (7 bits).</summary>
    public const int WeightLimit = 64;

    private const int Opset = 13;

    /// <summary>Values that are quantized: every float input of a Conv, Add, MaxPool or AveragePool, in graph order.</summary>
    public static IReadOnlyList<string> QuantizedValues(byte[] fp32Model)
    {
        var graph = ModelProto.Parser.ParseFrom(fp32Model).Graph;
        var folded = FoldedConvOutputs(graph);
        var initializers = graph.Initializer.Select(i => i.Name).ToHashSet();
        var names = new List<string>();
        foreach (var node in graph.Node)
        {
            if (node.OpType is not ("Conv" or "Add" or "MaxPool" or "AveragePool"))
            {
                continue;
            }
            var inputs = node.OpType == "Conv" ? node.Input.Take(1) : node.Input;
            foreach (var input in inputs.Where(i => !initializers.Contains(i)))
            {
                var name = folded.GetValueOrDefault(input, input);
                if (!names.Contains(name))
                {
                    names.Add(name);
                }
            }
        }
        return names;
    }

    /// <summary>The INT8 model, serialized.</summary>
    /// <param name="fp32Model">The FP32 ONNX file's bytes.</param>
    /// <param name="ranges">Range of every value of <see cref="QuantizedValues"/>.</param>
    /// <param name="exposed">Quantized values to expose as dequantized float outputs (feature maps).</param>
    public static byte[] Quantize(byte[] fp32Model, ActivationRanges ranges, IReadOnlyList<string> exposed)
    {
        var model = ModelProto.Parser.ParseFrom(fp32Model);
        var src = model.Graph;
        var initializers = src.Initializer.ToDictionary(i => i.Name);
        var quantized = QuantizedValues(fp32Model).ToHashSet();
        foreach (var name in exposed)
        {
            if (!quantized.Contains(name))
            {
                throw new DriftException($"feature map {name} is not a quantized value of the graph; quantized values: {string.Join(", ", quantized)}");
            }
        }
        var batchNorms = src.Node.Where(n => n.OpType == "BatchNormalization").ToDictionary(n => n.Input[0]);

        var graph = new GraphProto { Name = src.Name + "_int8" };
        graph.Input.AddRange(src.Input.Where(i => !initializers.ContainsKey(i.Name)).Select(i => i.Clone()));
        graph.Output.AddRange(src.Output.Select(o => o.Clone()));
        var builder = new Builder(graph);

        // Quantize a value once, right where it is produced; consumers then read their own DequantizeLinear.
        var qparams = new Dictionary<string, (float Scale, byte ZeroPoint)>();
        void QuantizeValue(string name, string producedAs, (float Scale, byte ZeroPoint)? same = null)
        {
            var (scale, zp) = same ?? ActivationParameters(ranges[name]);
            qparams[name] = (scale, zp);
            builder.Scalar(name + "_scale", scale);
            builder.Uint8Scalar(name + "_zero_point", zp);
            builder.Node("QuantizeLinear", name + "_quantize", [producedAs, name + "_scale", name + "_zero_point"], [name + "_quantized"]);
            if (exposed.Contains(name))
            {
                builder.Node("DequantizeLinear", name + "_dequantize", [name + "_quantized", name + "_scale", name + "_zero_point"], [name]);
                var info = src.ValueInfo.FirstOrDefault(v => v.Name == name)
                           ?? throw new DriftException($"feature map {name} has no type and shape in the FP32 graph");
                graph.Output.Add(info.Clone());
            }
        }
        int dequantizeCount = 0;
        string Dequantized(string name)
        {
            var output = $"{name}_dequantized_{dequantizeCount++}";
            builder.Node("DequantizeLinear", output, [name + "_quantized", name + "_scale", name + "_zero_point"], [output]);
            return output;
        }
        string Produced(string name) => quantized.Contains(name) && exposed.Contains(name) ? name + "_float" : name;

        foreach (var input in graph.Input)
        {
            if (quantized.Contains(input.Name))
            {
                QuantizeValue(input.Name, input.Name);
            }
        }
        foreach (var node in src.Node)
        {
            switch (node.OpType)
            {
                case "BatchNormalization":
                    continue; // folded into its Conv
                case "Conv":
                {
                    var bn = batchNorms.GetValueOrDefault(node.Output[0]);
                    var output = bn?.Output[0] ?? node.Output[0];
                    var x = node.Input[0];
                    var xScale = qparams.TryGetValue(x, out var xq) ? xq.Scale : throw new DriftException($"Conv {node.Name}: input {x} is not quantized");
                    var (weights, bias) = FoldBatchNorm(node, bn, initializers);
                    var (wName, bName) = builder.ConvParameters(output, weights, [.. initializers[node.Input[1]].Dims], bias, xScale);
                    var conv = builder.Node("Conv", node.Name, [Dequantized(x), wName, bName], [Produced(output)]);
                    conv.Attribute.AddRange(node.Attribute.Where(a => a.Name != "auto_pad").Select(a => a.Clone()));
                    if (quantized.Contains(output))
                    {
                        QuantizeValue(output, Produced(output));
                    }
                    break;
                }
                default:
                {
                    if (node.OpType is not ("Relu" or "Add" or "MaxPool" or "AveragePool"))
                    {
                        throw new DriftException($"the INT8 quantizer does not handle {node.OpType} ({node.Name})");
                    }
                    var inputs = node.Input.Select(i => quantized.Contains(i) ? Dequantized(i) : i).ToArray();
                    var output = node.Output[0];
                    var copy = builder.Node(node.OpType, node.Name, inputs, [Produced(output)]);
                    copy.Attribute.AddRange(node.Attribute.Where(a => a.Name != "auto_pad").Select(a => a.Clone()));
                    if (quantized.Contains(output))
                    {
                        // MaxPool only selects values: the same scale lets ONNX Runtime run it on uint8.
                        QuantizeValue(output, Produced(output), node.OpType == "MaxPool" ? qparams[node.Input[0]] : null);
                    }
                    break;
                }
            }
        }
        var result = new ModelProto
        {
            IrVersion = 7,
            ProducerName = "FunctionsDrift.Int8Quantizer",
            ProducerVersion = "1",
            Graph = graph,
        };
        result.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        return result.ToByteArray();
    }

    /// <summary>uint8 scale and zero point for a range widened to include 0.</summary>
    public static (float Scale, byte ZeroPoint) ActivationParameters(ActivationRange range)
    {
        double lo = Math.Min(range.Min, 0), hi = Math.Max(range.Max, 0);
        if (hi - lo <= 0)
        {
            return (1f, 0);
        }
        float scale = (float)((hi - lo) / 255.0);
        var zp = (byte)Math.Clamp(Math.Round(-lo / scale, MidpointRounding.ToEven), 0, 255);
        return (scale, zp);
    }

    /// <summary>Conv output name → the BatchNormalization output that replaces it after folding.</summary>
    private static Dictionary<string, string> FoldedConvOutputs(GraphProto graph)
    {
        var convOutputs = graph.Node.Where(n => n.OpType == "Conv").Select(n => n.Output[0]).ToHashSet();
        return graph.Node.Where(n => n.OpType == "BatchNormalization" && convOutputs.Contains(n.Input[0]))
            .ToDictionary(n => n.Input[0], n => n.Output[0]);
    }

    /// <summary>Weights [O, I, kh, kw] and bias [O] of the convolution with the BatchNormalization folded in, in double.</summary>
    private static (double[][] Weights, double[] Bias) FoldBatchNorm(NodeProto conv, NodeProto? bn, Dictionary<string, TensorProto> initializers)
    {
        var w = Floats(initializers[conv.Input[1]]);
        int outChannels = (int)initializers[conv.Input[1]].Dims[0];
        int perChannel = w.Length / outChannels;
        var bias0 = conv.Input.Count > 2 ? Floats(initializers[conv.Input[2]]) : new float[outChannels];
        var weights = new double[outChannels][];
        var bias = new double[outChannels];
        float[]? gamma = null, beta = null, mean = null, variance = null;
        double epsilon = 1e-5;
        if (bn is not null)
        {
            gamma = Floats(initializers[bn.Input[1]]);
            beta = Floats(initializers[bn.Input[2]]);
            mean = Floats(initializers[bn.Input[3]]);
            variance = Floats(initializers[bn.Input[4]]);
            var eps = bn.Attribute.FirstOrDefault(a => a.Name == "epsilon");
            if (eps is not null)
            {
                epsilon = eps.F;
            }
        }
        for (int c = 0; c < outChannels; c++)
        {
            double factor = bn is null ? 1 : gamma![c] / Math.Sqrt(variance![c] + epsilon);
            weights[c] = new double[perChannel];
            for (int i = 0; i < perChannel; i++)
            {
                weights[c][i] = w[c * perChannel + i] * factor;
            }
            bias[c] = bn is null ? bias0[c] : (bias0[c] - mean![c]) * factor + beta![c];
        }
        return (weights, bias);
    }

    private static float[] Floats(TensorProto t)
    {
        if (t.DataType != (int)TensorProto.Types.DataType.Float)
        {
            throw new DriftException($"initializer {t.Name} is not float (data type {t.DataType})");
        }
        if (t.FloatData.Count > 0)
        {
            return [.. t.FloatData];
        }
        var raw = t.RawData.Span;
        var values = new float[raw.Length / 4];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = BinaryPrimitives.ReadSingleLittleEndian(raw[(i * 4)..]);
        }
        return values;
    }

    /// <summary>Appends nodes and initializers to the new graph.</summary>
    private sealed class Builder(GraphProto graph)
    {
        public NodeProto Node(string op, string name, string[] inputs, string[] outputs)
        {
            var node = new NodeProto { OpType = op, Name = name };
            node.Input.AddRange(inputs);
            node.Output.AddRange(outputs);
            graph.Node.Add(node);
            return node;
        }

        public void Scalar(string name, float value)
        {
            var bytes = new byte[4];
            BinaryPrimitives.WriteSingleLittleEndian(bytes, value);
            Add(name, TensorProto.Types.DataType.Float, [], bytes);
        }

        public void Uint8Scalar(string name, byte value) => Add(name, TensorProto.Types.DataType.Uint8, [], [value]);

        /// <summary>Quantized weights and bias with their DequantizeLinear nodes; returns the two dequantized names.</summary>
        public (string Weights, string Bias) ConvParameters(string output, double[][] weights, long[] weightDims, double[] bias, float inputScale)
        {
            int outChannels = weights.Length, perChannel = weights[0].Length;
            var wq = new byte[outChannels * perChannel];
            var wScale = new byte[4 * outChannels];
            var bq = new byte[4 * outChannels];
            var bScale = new byte[4 * outChannels];
            for (int c = 0; c < outChannels; c++)
            {
                double maxAbs = weights[c].Max(Math.Abs);
                float scale = maxAbs > 0 ? (float)(maxAbs / WeightLimit) : 1f;
                for (int i = 0; i < perChannel; i++)
                {
                    wq[c * perChannel + i] = (byte)(sbyte)Math.Clamp(Math.Round(weights[c][i] / scale, MidpointRounding.ToEven), -WeightLimit, WeightLimit);
                }
                float biasScale = inputScale * scale;
                var b = Math.Clamp(Math.Round(bias[c] / biasScale, MidpointRounding.ToEven), int.MinValue, int.MaxValue);
                BinaryPrimitives.WriteSingleLittleEndian(wScale.AsSpan(4 * c), scale);
                BinaryPrimitives.WriteInt32LittleEndian(bq.AsSpan(4 * c), (int)b);
                BinaryPrimitives.WriteSingleLittleEndian(bScale.AsSpan(4 * c), biasScale);
            }
            Add(output + "_weight_quantized", TensorProto.Types.DataType.Int8, weightDims, wq);
            Add(output + "_weight_scale", TensorProto.Types.DataType.Float, [outChannels], wScale);
            Add(output + "_weight_zero_point", TensorProto.Types.DataType.Int8, [outChannels], new byte[outChannels]);
            Add(output + "_bias_quantized", TensorProto.Types.DataType.Int32, [outChannels], bq);
            Add(output + "_bias_scale", TensorProto.Types.DataType.Float, [outChannels], bScale);
            Add(output + "_bias_zero_point", TensorProto.Types.DataType.Int32, [outChannels], new byte[4 * outChannels]);
            var axis0 = new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = 0 };
            Node("DequantizeLinear", output + "_weight_dequantize", [output + "_weight_quantized", output + "_weight_scale", output + "_weight_zero_point"], [output + "_weight"])
                .Attribute.Add(axis0.Clone());
            Node("DequantizeLinear", output + "_bias_dequantize", [output + "_bias_quantized", output + "_bias_scale", output + "_bias_zero_point"], [output + "_bias"])
                .Attribute.Add(axis0.Clone());
            return (output + "_weight", output + "_bias");
        }

        private void Add(string name, TensorProto.Types.DataType type, long[] dims, byte[] raw)
        {
            var t = new TensorProto { Name = name, DataType = (int)type, RawData = ByteString.CopyFrom(raw) };
            t.Dims.AddRange(dims);
            graph.Initializer.Add(t);
        }
    }
}
