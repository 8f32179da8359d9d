using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace FunctionsDrift.Storage;

/// <summary>
/// Key design of the results table.
/// PartitionKey = <c>yyyyMMddHH-bb</c>: the blob's last-modified hour (UTC) and a bucket (stable hash of the name mod N),
/// so a busy hour spreads over N partitions and a time range is a string range over partition keys.
/// RowKey = Base64Url(SHA-256(blob name)): 43 characters from [A-Za-z0-9_-], whatever the name holds
/// (<c>/ \ # ? %</c>, control characters, non-ASCII, 1,024 characters), no collisions in practice.
/// Both come from the blob (name, last-modified), never from the scoring time, so a redelivered event for the
/// same blob and ETag upserts the same row.
/// </summary>
public static class ResultKeys
{
    public static string RowKey(string blobName) => Base64Url.EncodeToString(Hash(blobName));

    public static int Bucket(string blobName, int buckets) =>
        (int)(BitConverter.ToUInt32(Hash(blobName), 0) % (uint)Math.Max(1, buckets));

    public static string HourPrefix(DateTimeOffset time) => time.UtcDateTime.ToString("yyyyMMddHH", CultureInfo.InvariantCulture);

    public static string PartitionKey(string blobName, DateTimeOffset blobLastModified, int buckets) =>
        $"{HourPrefix(blobLastModified)}-{Bucket(blobName, buckets):00}";

    /// <summary>Inclusive lower bound of partition keys for times at or after <paramref name="since"/>.</summary>
    public static string LowerBound(DateTimeOffset since) => HourPrefix(since);

    /// <summary>Exclusive upper bound of partition keys for times before or in the hour of <paramref name="until"/>.</summary>
    public static string UpperBound(DateTimeOffset until) => HourPrefix(until) + "~";

    private static byte[] Hash(string blobName) => SHA256.HashData(Encoding.UTF8.GetBytes(blobName));
}
