using System.Buffers.Binary;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using FunctionsDrift.Core.Features;
using Microsoft.Extensions.Logging;

namespace FunctionsDrift.Storage;

/// <summary>
/// The features a reference version was fitted on, next to the model: <c>versions/{version}.features</c> in the models
/// container. Written once by the refit (If-None-Match <c>*</c>), read by <see cref="WindowSummaryService"/> so that window
/// tests need no re-extraction. Only what the window tests use is stored (embedding, HSV histogram, quality statistics,
/// size); the patch features are not. Thread-safe.
/// </summary>
/// <remarks>
/// Format (little-endian): magic <c>FDRF</c>, format version (int32 = 1), image count (int32), then per image
/// embedding length, HSV length, quality length, width, height (int32 each) and the float32 values. About 2.3 KiB per image
/// with a 512-float embedding.
/// </remarks>
public sealed class ReferenceFeatureStore(BlobContainerClient container, ILogger? log = null)
{
    public const string Suffix = ".features";
    private const int FormatVersion = 1;
    private static ReadOnlySpan<byte> Magic => "FDRF"u8;

    private readonly ILogger _log = log ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    public static string FeaturesPath(string version) => $"{ModelStore.VersionsPrefix}{version}{Suffix}";

    /// <summary>Writes the features of <paramref name="version"/> unless they exist already. Returns false when they did.</summary>
    public async Task<bool> SaveAsync(string version, IReadOnlyList<ImageFeatures> features, CancellationToken ct)
    {
        try
        {
            await container.GetBlobClient(FeaturesPath(version)).UploadAsync(BinaryData.FromBytes(Serialize(features)),
                new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } }, ct);
            return true;
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            return false;
        }
    }

    /// <summary>The features of <paramref name="version"/>, or null when none were saved (older versions, or a failed write).</summary>
    public async Task<IReadOnlyList<ImageFeatures>?> LoadAsync(string version, CancellationToken ct)
    {
        try
        {
            var content = await container.GetBlobClient(FeaturesPath(version)).DownloadContentAsync(ct);
            return Deserialize(content.Value.Content.ToMemory().Span);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
        catch (InvalidDataException e)
        {
            _log.LogWarning("Reference features of {Version} unreadable, ignored: {Error}", version, e.Message);
            return null;
        }
    }

    /// <summary>
    /// Deletes feature blobs whose model version is gone and older than the oldest kept version (so a refit that has
    /// written its features but not yet its model is left alone). Returns the number deleted.
    /// </summary>
    public async Task<int> PruneAsync(IReadOnlyList<string> keptVersions, CancellationToken ct)
    {
        if (keptVersions.Count == 0) return 0;
        var kept = keptVersions.ToHashSet(StringComparer.Ordinal);
        var oldest = keptVersions.Min(StringComparer.Ordinal)!;
        int deleted = 0;
        await foreach (var item in container.GetBlobsAsync(new GetBlobsOptions { Prefix = ModelStore.VersionsPrefix }, ct))
        {
            if (!item.Name.EndsWith(Suffix, StringComparison.Ordinal)) continue;
            var version = item.Name[ModelStore.VersionsPrefix.Length..^Suffix.Length];
            if (kept.Contains(version) || string.CompareOrdinal(version, oldest) >= 0) continue;
            await container.GetBlobClient(item.Name).DeleteIfExistsAsync(cancellationToken: ct);
            deleted++;
        }
        return deleted;
    }

    public static byte[] Serialize(IReadOnlyList<ImageFeatures> features)
    {
        long size = 12 + features.Sum(f => 20L + 4L * (f.Embedding.Length + f.Hsv.Length + f.Quality.Length));
        var bytes = new byte[size];
        Magic.CopyTo(bytes);
        int at = 4;
        void Int(int v)
        {
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(at), v);
            at += 4;
        }
        void Floats(float[] v)
        {
            for (int i = 0; i < v.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(at + 4 * i), v[i]);
            at += 4 * v.Length;
        }
        Int(FormatVersion);
        Int(features.Count);
        foreach (var f in features)
        {
            Int(f.Embedding.Length); Int(f.Hsv.Length); Int(f.Quality.Length); Int(f.Width); Int(f.Height);
            Floats(f.Embedding); Floats(f.Hsv); Floats(f.Quality);
        }
        return bytes;
    }

    public static IReadOnlyList<ImageFeatures> Deserialize(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 12 || !bytes[..4].SequenceEqual(Magic)) throw new InvalidDataException("not a reference features blob");
        int at = 4;
        int Int(ReadOnlySpan<byte> b)
        {
            if (at + 4 > b.Length) throw new InvalidDataException("reference features blob truncated");
            int v = BinaryPrimitives.ReadInt32LittleEndian(b[at..]);
            at += 4;
            return v;
        }
        float[] Floats(ReadOnlySpan<byte> b, int n)
        {
            if (n < 0 || n > 1 << 20 || at + 4L * n > b.Length) throw new InvalidDataException("reference features blob truncated or corrupt");
            var v = new float[n];
            for (int i = 0; i < n; i++) v[i] = BinaryPrimitives.ReadSingleLittleEndian(b[(at + 4 * i)..]);
            at += 4 * n;
            return v;
        }
        int format = Int(bytes);
        if (format != FormatVersion) throw new InvalidDataException($"reference features format {format} not supported");
        int count = Int(bytes);
        if (count < 0 || count > bytes.Length / 20) throw new InvalidDataException("reference features blob corrupt (count)");
        var list = new List<ImageFeatures>(count);
        for (int k = 0; k < count; k++)
        {
            int e = Int(bytes), h = Int(bytes), q = Int(bytes), w = Int(bytes), ht = Int(bytes);
            list.Add(new ImageFeatures(Floats(bytes, e), Floats(bytes, h), Floats(bytes, q), [], w, ht));
        }
        if (at != bytes.Length) throw new InvalidDataException("reference features blob has trailing bytes");
        return list;
    }
}
