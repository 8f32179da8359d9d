using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace FunctionsDrift.Core.Embedding;

/// <summary>
/// Describes an ONNX embedding model: where its file is, its hash, tensor names and how to turn pixels into its input.
/// The engine refuses a model whose file does not match <see cref="Sha256"/>.
/// </summary>
public sealed record ModelManifest
{
    public required string Name { get; init; }
    /// <summary>Model file, relative to the manifest's folder, then to the application folder.</summary>
    public required string File { get; init; }
    public required string Sha256 { get; init; }
    public required string InputName { get; init; }
    public required string OutputName { get; init; }
    public int InputWidth { get; init; } = 224;
    public int InputHeight { get; init; } = 224;
    /// <summary>Channel order of the planar input: RGB or BGR.</summary>
    public string PixelOrder { get; init; } = "RGB";
    public string Layout { get; init; } = "NCHW";
    /// <summary>Multiplier applied to 0–255 pixel values before the mean is subtracted (1 keeps 0–255, 1/255 gives 0–1).</summary>
    public float PixelScale { get; init; } = 1f;
    /// <summary>Mean per colour channel (R, G, B — not per plane), subtracted after <see cref="PixelScale"/>.</summary>
    public float[] Mean { get; init; } = [0f, 0f, 0f];
    /// <summary>
    /// Optional preprocessing model (resolved like <see cref="File"/>) that subtracts a per-pixel mean image from the planar
    /// input, as ResNetPreprocess.onnx does. When set, its output for an all-zero input (the negated mean image, in plane
    /// order) replaces <see cref="Mean"/>.
    /// </summary>
    public string? MeanImageModel { get; init; }
    public string? MeanImageModelSha256 { get; init; }
    public float[] Std { get; init; } = [1f, 1f, 1f];
    public int EmbeddingSize { get; init; } = 512;
    /// <summary>
    /// Intermediate activations (graph value names, NCHW) read from the same inference for local (patch) novelty, in
    /// network order. The embedder adds them as graph outputs in memory, after the file's hash is checked.
    /// </summary>
    public string[] FeatureMaps { get; init; } = [];
    /// <summary>How the frame becomes the input square: "stretch" keeps the whole view (edges included); "center-crop" drops the sides.</summary>
    public string Resize { get; init; } = "stretch";
    /// <summary>"fp32" or "int8"; said in errors when a reference model and a run disagree.</summary>
    public string Precision { get; init; } = "fp32";
    /// <summary>
    /// For a quantized model: the FP32 manifest (relative to this one) whose model <see cref="Int8Quantizer"/> turns into
    /// <see cref="File"/> on first use; the file is not shipped.
    /// </summary>
    public string? QuantizedFrom { get; init; }
    /// <summary>For a quantized model: the committed activation ranges (relative to this manifest).</summary>
    public string? ActivationRanges { get; init; }
    /// <summary>
    /// Set by <see cref="ForCrops"/>, never read from a file: the graph's fixed input is rewritten to
    /// <see cref="InputWidth"/> × <see cref="InputHeight"/> when the session is made.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool ResizesGraphInput { get; init; }
    public string Provenance { get; init; } = "";
    public string Licence { get; init; } = "";

    /// <summary>Folder the manifest was read from; the model file is resolved against it first.</summary>
    [JsonIgnore]
    public string? BaseDirectory { get; init; }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>The bundled ResNet18 manifest of the default precision (<see cref="EmbedderPrecisions.Default"/>).</summary>
    public static string DefaultPath => PathFor(EmbedderPrecisions.Default);

    /// <summary>The bundled ResNet18 manifest of <paramref name="precision"/>, copied next to the application under models/.</summary>
    public static string PathFor(EmbedderPrecision precision) => Path.Combine(AppContext.BaseDirectory, "models",
        precision == EmbedderPrecision.Int8 ? "resnet18.int8.manifest.json" : "resnet18.manifest.json");

    /// <summary>
    /// Which bundled precision an embedder identity (as stored in a reference model) belongs to, or null for another model.
    /// </summary>
    public static EmbedderPrecision? PrecisionOfIdentity(string identity)
    {
        foreach (var p in Enum.GetValues<EmbedderPrecision>())
        {
            var path = PathFor(p);
            if (System.IO.File.Exists(path) && Load(path).Identity == identity)
            {
                return p;
            }
        }
        return null;
    }

    public static ModelManifest Load(string path)
    {
        if (!System.IO.File.Exists(path))
        {
            throw new DriftException($"model manifest not found: {path}");
        }
        ModelManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<ModelManifest>(System.IO.File.ReadAllText(path), Json);
        }
        catch (JsonException e)
        {
            throw new DriftException($"model manifest {path} is not valid JSON: {e.Message}", e);
        }
        if (manifest is null)
        {
            throw new DriftException($"model manifest {path} is empty");
        }
        manifest = manifest with { BaseDirectory = Path.GetDirectoryName(Path.GetFullPath(path)) };
        manifest.Validate();
        return manifest;
    }

    /// <summary>
    /// The same model for square crops of <paramref name="size"/> pixels (a multiple of 32): the embedding only, and the
    /// average colour as the mean, because the mean image is the full frame's.
    /// </summary>
    public ModelManifest ForCrops(int size) => this with
    {
        InputWidth = size,
        InputHeight = size,
        MeanImageModel = null,
        MeanImageModelSha256 = null,
        FeatureMaps = [],
        ResizesGraphInput = true,
    };

    public void Validate()
    {
        if (Mean.Length != 3 || Std.Length != 3)
        {
            throw new DriftException($"model manifest {Name}: mean and std need three values");
        }
        if (PixelOrder is not ("RGB" or "BGR"))
        {
            throw new DriftException($"model manifest {Name}: pixelOrder must be RGB or BGR, not {PixelOrder}");
        }
        if (Resize is not ("stretch" or "center-crop"))
        {
            throw new DriftException($"model manifest {Name}: resize must be stretch or center-crop, not {Resize}");
        }
        if (Precision is not ("fp32" or "int8"))
        {
            throw new DriftException($"model manifest {Name}: precision must be fp32 or int8, not {Precision}");
        }
        if (Precision == "int8" && (QuantizedFrom is null || ActivationRanges is null))
        {
            throw new DriftException($"model manifest {Name}: an int8 manifest needs quantizedFrom and activationRanges");
        }
        if (InputWidth <= 0 || InputHeight <= 0 || EmbeddingSize <= 0)
        {
            throw new DriftException($"model manifest {Name}: sizes must be positive");
        }
    }

    /// <summary>Finds the model file: next to the manifest, then in the application folder.</summary>
    public string ResolveModelPath() => ResolvePath(File);

    /// <summary>A file named relative to this manifest's folder (the application folder when the manifest was not loaded from disk).</summary>
    public string ResolveRelative(string file) =>
        Path.IsPathRooted(file) ? file : Path.Combine(BaseDirectory ?? Path.Combine(AppContext.BaseDirectory, "models"), file);

    /// <summary>Like <see cref="ResolveModelPath"/> for any file, without throwing: null when it is nowhere.</summary>
    public string? TryResolvePath(string file) => Candidates(file).Where(System.IO.File.Exists).Select(Path.GetFullPath).FirstOrDefault();

    private List<string> Candidates(string file)
    {
        var candidates = new List<string>();
        if (Path.IsPathRooted(file))
        {
            candidates.Add(file);
        }
        else
        {
            if (BaseDirectory is not null)
            {
                candidates.Add(Path.Combine(BaseDirectory, file));
                candidates.Add(Path.Combine(BaseDirectory, "..", file));
            }
            candidates.Add(Path.Combine(AppContext.BaseDirectory, file));
        }
        return candidates;
    }

    private string ResolvePath(string file)
    {
        var candidates = Candidates(file);
        foreach (var c in candidates)
        {
            if (System.IO.File.Exists(c))
            {
                return Path.GetFullPath(c);
            }
        }
        throw new DriftException($"model file {file} not found (looked in: {string.Join(", ", candidates)}). " +
                                 "Build the project: the ResNet18 file comes from the NuGet package Microsoft.ML.DnnImageFeaturizer.ResNet18.");
    }

    /// <summary>Resolves the model file and checks its SHA-256 against the manifest.</summary>
    public string VerifyModelFile() => Verify(File, Sha256);

    /// <summary>Resolves and checks <see cref="MeanImageModel"/>; null when the manifest has none.</summary>
    public string? VerifyMeanImageModel() => MeanImageModel is null ? null : Verify(MeanImageModel, MeanImageModelSha256 ?? "");

    private string Verify(string file, string sha256)
    {
        var path = ResolvePath(file);
        using var stream = System.IO.File.OpenRead(path);
        var actual = Convert.ToHexStringLower(SHA256.HashData(stream));
        if (!string.Equals(actual, sha256, StringComparison.OrdinalIgnoreCase))
        {
            throw new DriftException($"model file {path} has sha256 {actual}, but manifest {Name} expects {sha256}");
        }
        return path;
    }

    /// <summary>Short identity of the model, stored in every reference model so features from another model are refused.</summary>
    public string Identity => $"{Name}@{Sha256[..Math.Min(16, Sha256.Length)]}/{Resize}";
}
