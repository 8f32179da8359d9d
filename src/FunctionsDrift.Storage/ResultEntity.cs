using System.Runtime.InteropServices;
using System.Runtime.Serialization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Azure;
using Azure.Data.Tables;
using FunctionsDrift.Core.Features;
using FunctionsDrift.Core.Scoring;

namespace FunctionsDrift.Storage;

/// <summary>
/// One scored blob in the results table. Keys: see <see cref="ResultKeys"/>. Features are stored as byte arrays so that a
/// refit reuses them instead of re-embedding: float32 for the embedding (512 floats = 2 KiB), float16 for the patch
/// descriptors (196 × 96 values = 37 KiB; float32 would pass the 64 KiB property limit).
/// </summary>
public sealed class ResultEntity : ITableEntity
{
    public const string StatusOk = "ok";
    public const string StatusError = "error";

    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string BlobName { get; set; } = "";
    public string BlobUrl { get; set; } = "";
    public string BlobETag { get; set; } = "";
    public DateTimeOffset BlobLastModified { get; set; }
    public DateTimeOffset ScoredAt { get; set; }
    public string Status { get; set; } = StatusOk;
    public string? Error { get; set; }
    public string? ErrorKind { get; set; }
    public string? ReferenceVersion { get; set; }
    /// <summary>Identity of the embedder that produced <see cref="Embedding"/> (a refit uses only rows of its own embedder).</summary>
    public string? EmbedderIdentity { get; set; }
    public bool Drift { get; set; }
    public double FusedP { get; set; } = 1;
    public string? Reasons { get; set; }
    public int Width { get; set; }
    public int Height { get; set; }
    public double ScoreMs { get; set; }

    /// <summary>
    /// Every detector of the verdict, in the model's order, as JSON (<see cref="Detectors"/> reads it): one column whatever
    /// detectors <c>DetectorKinds</c> registers, so adding or replacing one changes no table schema.
    /// </summary>
    public string? DetectorsJson { get; set; }

    public byte[]? Embedding { get; set; }
    public byte[]? Hsv { get; set; }
    public byte[]? Quality { get; set; }
    public byte[]? Patch { get; set; }
    public int PatchCount { get; set; }
    /// <summary>The edge map (<see cref="EdgeMap"/>) as float16, 24 KiB, for the view detector on refit.</summary>
    public byte[]? Edges { get; set; }

    public static byte[] Pack(float[] values) => MemoryMarshal.AsBytes(values.AsSpan()).ToArray();

    public static float[] Unpack(byte[]? bytes) => bytes is null ? [] : MemoryMarshal.Cast<byte, float>(bytes).ToArray();

    /// <summary>float16: half the bytes; the patch detector's distances move by well under 0.1 % (float16 keeps 11 bits).</summary>
    public static byte[] PackHalf(float[] values)
    {
        var half = new Half[values.Length];
        for (int i = 0; i < values.Length; i++) half[i] = (Half)values[i];
        return MemoryMarshal.AsBytes(half.AsSpan()).ToArray();
    }

    public static float[] UnpackHalf(byte[]? bytes)
    {
        if (bytes is null) return [];
        var half = MemoryMarshal.Cast<byte, Half>(bytes);
        var values = new float[half.Length];
        for (int i = 0; i < half.Length; i++) values[i] = (float)half[i];
        return values;
    }

    /// <summary>Stores a verdict: status ok, the fused decision, the reasons and every detector's result.</summary>
    public void StoreVerdict(ScoreResult verdict)
    {
        Status = StatusOk;
        Error = null;
        ErrorKind = null;
        ReferenceVersion = verdict.ReferenceVersion;
        Drift = verdict.Drift;
        FusedP = verdict.FusedPValue;
        Reasons = verdict.Reasons;
        DetectorsJson = JsonSerializer.Serialize(verdict.Detectors.Select(d => new StoredDetector(d.Detector, d.Score, d.Threshold, d.PValue, d.Flag, d.Detail)));
    }

    /// <summary>The detectors' results stored by <see cref="StoreVerdict"/>; empty for an error row or when not read.</summary>
    [IgnoreDataMember]
    public IReadOnlyList<DetectorResult> Detectors =>
        string.IsNullOrEmpty(DetectorsJson) ? []
        : (JsonSerializer.Deserialize<StoredDetector[]>(DetectorsJson) ?? []).Select(d => new DetectorResult(d.Detector, d.Score, d.Threshold, d.P, d.Flag, d.Detail ?? "")).ToList();

    /// <summary>The row as <c>GET /api/results</c> and <c>drift results</c> show it (no feature arrays).</summary>
    public ResultRow ToRow()
    {
        bool ok = Status == StatusOk;
        return new ResultRow
        {
            Image = BlobName,
            Drift = ok ? Drift : null,
            FusedP = ok ? FusedP : null,
            ReferenceVersion = ReferenceVersion,
            Detectors = Detectors,
            Reasons = Reasons,
            Error = Error,
            Status = Status,
            ErrorKind = ErrorKind,
            BlobLastModified = BlobLastModified,
            ScoredAt = ScoredAt,
            Width = Width,
            Height = Height,
            BlobUrl = BlobUrl,
            BlobETag = BlobETag,
        };
    }

    /// <summary>The stored shape of one detector (the p-value as <c>p</c>, as rows written before hold it).</summary>
    private sealed record StoredDetector(string Detector, double Score, double Threshold, [property: JsonPropertyName("p")] double P, bool Flag, string? Detail);

    /// <summary>Stores <paramref name="features"/> in the feature columns, as <see cref="ToFeatures"/> reads them back.</summary>
    public void StoreFeatures(ImageFeatures features)
    {
        Embedding = features.HasEmbedding ? Pack(features.Embedding) : null;
        Hsv = Pack(features.Hsv);
        Quality = Pack(features.Quality);
        Patch = PackHalf(features.Patch);
        PatchCount = features.PatchCount;
        Edges = PackHalf(features.Edges);
        Width = features.Width;
        Height = features.Height;
    }

    /// <summary>The stored features, or null for an error row.</summary>
    public ImageFeatures? ToFeatures() =>
        Status != StatusOk || Hsv is null ? null : new ImageFeatures(Unpack(Embedding), Unpack(Hsv), Unpack(Quality), UnpackHalf(Patch), Width, Height) { PatchCount = PatchCount, Edges = UnpackHalf(Edges) };
}
