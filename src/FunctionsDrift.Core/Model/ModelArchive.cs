using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace FunctionsDrift.Core.Model;

/// <summary>
/// The on-disk container of a reference model: magic, schema version, JSON metadata, named float arrays, and a SHA-256 trailer.
/// Loading a file of another schema, a truncated or a tampered file is a clear <see cref="DriftException"/>.
/// </summary>
public sealed class ModelArchive
{
    public const int SchemaVersion = 7;
    private static readonly byte[] Magic = "FDRIFTM\0"u8.ToArray();

    public Dictionary<string, string> Metadata { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, float[]> Arrays { get; } = new(StringComparer.Ordinal);

    public float[] Array(string name) =>
        Arrays.TryGetValue(name, out var a) ? a : throw new DriftException($"reference model is missing array '{name}'");

    public string Meta(string name) =>
        Metadata.TryGetValue(name, out var v) ? v : throw new DriftException($"reference model is missing field '{name}'");

    public void Write(Stream output)
    {
        using var buffer = new MemoryStream();
        using (var w = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(Magic);
            w.Write(SchemaVersion);
            var json = JsonSerializer.SerializeToUtf8Bytes(Metadata);
            w.Write(json.Length);
            w.Write(json);
            w.Write(Arrays.Count);
            foreach (var (name, values) in Arrays.OrderBy(a => a.Key, StringComparer.Ordinal))
            {
                w.Write(name);
                w.Write(values.Length);
                w.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
            }
        }
        var body = buffer.GetBuffer().AsSpan(0, (int)buffer.Length);
        output.Write(body);
        output.Write(SHA256.HashData(body));
    }

    public byte[] ToBytes()
    {
        using var ms = new MemoryStream();
        Write(ms);
        return ms.ToArray();
    }

    public static ModelArchive Read(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < Magic.Length + 4 + 32 || !bytes[..Magic.Length].SequenceEqual(Magic))
        {
            throw new DriftException("not a FunctionsDrift reference model (bad magic bytes)");
        }
        int schema = BitConverter.ToInt32(bytes.Slice(Magic.Length, 4));
        if (schema != SchemaVersion)
        {
            throw new DriftException($"reference model has schema version {schema}; this build reads version {SchemaVersion} — refit it with this version");
        }
        var body = bytes[..^32];
        if (!SHA256.HashData(body).AsSpan().SequenceEqual(bytes[^32..]))
        {
            throw new DriftException("reference model is corrupt or truncated (checksum mismatch)");
        }
        var archive = new ModelArchive();
        try
        {
            using var ms = new MemoryStream(body.ToArray(), writable: false);
            using var r = new BinaryReader(ms);
            r.ReadBytes(Magic.Length);
            r.ReadInt32();
            int jsonLength = ReadLength(r, ms, 1, "metadata");
            var meta = JsonSerializer.Deserialize<Dictionary<string, string>>(r.ReadBytes(jsonLength)) ?? [];
            foreach (var (k, v) in meta)
            {
                archive.Metadata[k] = v;
            }
            int count = r.ReadInt32();
            for (int i = 0; i < count; i++)
            {
                var name = r.ReadString();
                int length = ReadLength(r, ms, sizeof(float), $"array '{name}'");
                var values = new float[length];
                r.BaseStream.ReadExactly(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
                archive.Arrays[name] = values;
            }
        }
        catch (Exception e) when (e is EndOfStreamException or JsonException or OverflowException or ArgumentException)
        {
            throw new DriftException($"reference model is malformed: {e.Message}", e);
        }
        return archive;
    }

    /// <summary>
    /// A length field, checked against the bytes that remain before anything is allocated: a file with a valid checksum can
    /// still declare a negative or huge length.
    /// </summary>
    private static int ReadLength(BinaryReader r, MemoryStream ms, int elementSize, string what)
    {
        int length = r.ReadInt32();
        if (length < 0 || (long)length * elementSize > ms.Length - ms.Position)
        {
            throw new DriftException($"reference model is malformed: {what} declares {length} elements, more than the {ms.Length - ms.Position} bytes left");
        }
        return length;
    }

    public static ModelArchive ReadFile(string path)
    {
        if (!File.Exists(path))
        {
            throw new DriftException($"reference model not found: {path}");
        }
        return Read(File.ReadAllBytes(path));
    }
}
