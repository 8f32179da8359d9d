using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using FunctionsDrift.Core.Features;
using FunctionsDrift.Core.Model;
using Microsoft.Extensions.Logging;

namespace FunctionsDrift.Storage;

/// <summary>
/// A reference image's fit features (<see cref="FeatureExtractor.ExtractReference(ReadOnlySpan{byte})"/>: five CNN passes),
/// kept per reference blob in the models container, so that a refit extracts only the images that are new or replaced.
/// An entry is <c>reference-cache/{key}/{blob name}</c>, where the key names the embedder and the model schema (a new
/// embedder or feature layout starts a new key); it holds the source blob's ETag and is used only while that ETag is
/// current. A missing, stale or unreadable entry just means extracting again. Thread-safe.
/// </summary>
/// <remarks>
/// Format (little-endian): magic <c>FDRC</c>, format version (int32 = 1), width, height, patch count (int32 each), then
/// embedding, HSV, quality, patch, zoomed patch and edges, each as a length (int32) and float32 values. About 200 KiB
/// per image with ResNet18, most of it the two patch arrays and the edge map.
/// </remarks>
public sealed class ReferenceFeatureCache(BlobContainerClient container, string modelIdentity, ILogger? log = null)
{
    public const string Prefix = "reference-cache/";
    private const string SourceETagKey = "sourceetag";
    private const int FormatVersion = 1;
    private const int ArrayCount = 6;
    /// <summary>Far above a real entry (about 200 KiB), so that a damaged or foreign blob never costs more than this to read.</summary>
    public const long MaxEntryBytes = 16 << 20;
    private static ReadOnlySpan<byte> Magic => "FDRC"u8;

    private readonly ILogger _log = log ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    /// <summary>The folder of this embedder and schema: features of another embedder or layout never match.</summary>
    public string Folder { get; } = $"{Prefix}{Key(modelIdentity)}/";

    private static string Key(string modelIdentity)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{modelIdentity}|schema {ModelArchive.SchemaVersion}|zoom {FeatureExtractor.ReferenceZoom}"));
        return Convert.ToHexStringLower(hash.AsSpan(0, 8));
    }

    /// <summary>
    /// The cached features of <paramref name="blobName"/> if they were made from the blob with this ETag, else null (also
    /// when the entry cannot be read: the caller extracts instead).
    /// </summary>
    public async Task<ImageFeatures?> TryLoadAsync(string blobName, ETag sourceETag, CancellationToken ct)
    {
        try
        {
            var response = await container.GetBlobClient(Folder + blobName).DownloadStreamingAsync(cancellationToken: ct);
            using var download = response.Value;
            if (!download.Details.Metadata.TryGetValue(SourceETagKey, out var etag) || etag != sourceETag.ToString()) return null;
            long length = download.Details.ContentLength;
            if (length > MaxEntryBytes) throw new InvalidDataException($"{length} bytes, more than the {MaxEntryBytes} an entry can be");
            var bytes = new byte[length];
            await download.Content.ReadExactlyAsync(bytes, ct);
            return Deserialize(bytes);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
        catch (Exception e) when (e is InvalidDataException or RequestFailedException or EndOfStreamException)
        {
            _log.LogWarning("Cached features of reference image {Blob} unreadable, extracting again: {Error}", blobName, e.Message);
            return null;
        }
    }

    /// <summary>Stores the features of <paramref name="blobName"/> as made from the blob with this ETag (overwriting a stale entry).</summary>
    public Task SaveAsync(string blobName, ETag sourceETag, ImageFeatures features, CancellationToken ct) =>
        container.GetBlobClient(Folder + blobName).UploadAsync(BinaryData.FromBytes(Serialize(features)),
            new BlobUploadOptions { Metadata = new Dictionary<string, string> { [SourceETagKey] = sourceETag.ToString() } }, ct);

    /// <summary>
    /// Deletes entries of reference images no longer in <paramref name="current"/>, and every entry of another embedder or
    /// schema. Returns the number deleted.
    /// </summary>
    public async Task<int> PruneAsync(IReadOnlySet<string> current, CancellationToken ct)
    {
        int deleted = 0;
        await foreach (var item in container.GetBlobsAsync(new GetBlobsOptions { Prefix = Prefix }, ct))
        {
            if (item.Name.StartsWith(Folder, StringComparison.Ordinal) && current.Contains(item.Name[Folder.Length..])) continue;
            await container.GetBlobClient(item.Name).DeleteIfExistsAsync(cancellationToken: ct);
            deleted++;
        }
        return deleted;
    }

    public static byte[] Serialize(ImageFeatures f)
    {
        float[][] arrays = [f.Embedding, f.Hsv, f.Quality, f.Patch, f.ZoomedPatch, f.Edges];
        var bytes = new byte[20 + arrays.Sum(a => 4 + 4L * a.Length)];
        Magic.CopyTo(bytes);
        int at = 4;
        foreach (var v in (int[])[FormatVersion, f.Width, f.Height, f.PatchCount])
        {
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(at), v);
            at += 4;
        }
        foreach (var a in arrays)
        {
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(at), a.Length);
            at += 4;
            // The format is little-endian; so is every platform .NET runs Azure Functions on.
            MemoryMarshal.AsBytes(a.AsSpan()).CopyTo(bytes.AsSpan(at));
            at += 4 * a.Length;
        }
        return bytes;
    }

    public static ImageFeatures Deserialize(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 20 || !bytes[..4].SequenceEqual(Magic)) throw new InvalidDataException("not a cached reference features blob");
        int format = BinaryPrimitives.ReadInt32LittleEndian(bytes[4..]);
        if (format != FormatVersion) throw new InvalidDataException($"cached reference features format {format} not supported");
        int width = BinaryPrimitives.ReadInt32LittleEndian(bytes[8..]), height = BinaryPrimitives.ReadInt32LittleEndian(bytes[12..]);
        int patchCount = BinaryPrimitives.ReadInt32LittleEndian(bytes[16..]);
        int at = 20;
        var arrays = new float[ArrayCount][];
        for (int k = 0; k < ArrayCount; k++)
        {
            int n = at + 4 <= bytes.Length ? BinaryPrimitives.ReadInt32LittleEndian(bytes[at..]) : -1;
            if (n < 0 || at + 4 + 4L * n > bytes.Length) throw new InvalidDataException("cached reference features truncated or corrupt");
            arrays[k] = MemoryMarshal.Cast<byte, float>(bytes.Slice(at + 4, 4 * n)).ToArray();
            at += 4 + 4 * n;
        }
        if (at != bytes.Length) throw new InvalidDataException("cached reference features have trailing bytes");
        if (patchCount < 0 || (patchCount == 0) != (arrays[3].Length == 0) || (patchCount > 0 && arrays[3].Length % patchCount != 0))
        {
            throw new InvalidDataException("cached reference features corrupt (patch count)");
        }
        return new ImageFeatures(arrays[0], arrays[1], arrays[2], arrays[3], width, height)
        {
            PatchCount = patchCount,
            ZoomedPatch = arrays[4],
            Edges = arrays[5],
        };
    }
}
