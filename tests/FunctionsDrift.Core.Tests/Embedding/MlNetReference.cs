using System.Reflection;
using System.Runtime.Loader;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace FunctionsDrift.Core.Tests;

/// <summary>
/// ML.NET's own image featurizer pipeline — LoadImages → ResizeImages(224, 224) → ExtractPixels → DnnFeaturizeImage(ResNet18) —
/// as the reference the engine's embedding must match.
/// </summary>
/// <remarks>
/// Microsoft.ML.ImageAnalytics 5.0.1 calls SkiaSharp 2.88 APIs that SkiaSharp 3 (the engine's) no longer has, so it is
/// loaded in its own <see cref="AssemblyLoadContext"/> together with SkiaSharp 2.88 (copied to mlnet-skia/ by the
/// project file); the image estimators are reached by reflection. Everything else (MLContext, OnnxTransformer, the
/// ResNet18 featurizer) is the ordinary shared ML.NET.
/// </remarks>
internal static class MlNetReference
{
    private sealed class ImageAnalyticsContext : AssemblyLoadContext
    {
        private readonly string _skiaDir = Path.Combine(AppContext.BaseDirectory, "mlnet-skia");

        public ImageAnalyticsContext() : base("mlnet-image-analytics") { }

        protected override Assembly? Load(AssemblyName name) => name.Name switch
        {
            "SkiaSharp" => LoadFromAssemblyPath(Path.Combine(_skiaDir, "SkiaSharp.dll")),
            "Microsoft.ML.ImageAnalytics" => LoadFromAssemblyPath(Path.Combine(AppContext.BaseDirectory, "Microsoft.ML.ImageAnalytics.dll")),
            _ => null,
        };

        protected override IntPtr LoadUnmanagedDll(string unmanagedDllName) =>
            unmanagedDllName.Contains("SkiaSharp", StringComparison.Ordinal)
                ? LoadUnmanagedDllFromPath(Path.Combine(_skiaDir, "libSkiaSharp.so"))
                : IntPtr.Zero;
    }

    private static readonly Lazy<Type> Catalog = new(() =>
    {
        var context = new ImageAnalyticsContext();
        var assembly = context.LoadFromAssemblyName(new AssemblyName("Microsoft.ML.ImageAnalytics"));
        return assembly.GetType("Microsoft.ML.ImageEstimatorsCatalog", throwOnError: true)!;
    });

    private sealed class ImageRow
    {
        public string ImagePath { get; set; } = "";
    }

    /// <summary>Runs the pipeline over image files and returns one 512-d feature vector per file, in order.</summary>
    public static List<float[]> Featurize(IReadOnlyList<string> files) => Featurize(files, out _);

    /// <summary>Also returns the planar pixels ML.NET fed to the featurizer.</summary>
    public static List<float[]> Featurize(IReadOnlyList<string> files, out List<float[]> pixels)
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(files.Select(f => new ImageRow { ImagePath = f }));
        var modelDir = Path.Combine(AppContext.BaseDirectory, "DnnImageModels");

        var load = Call("LoadImages", ml.Transforms, ("outputColumnName", "Image"), ("imageFolder", ""), ("inputColumnName", nameof(ImageRow.ImagePath)));
        var resize = Call("ResizeImages", ml.Transforms, ("outputColumnName", "Image"), ("imageWidth", 224), ("imageHeight", 224), ("inputColumnName", "Image"));
        var extract = Call("ExtractPixels", ml.Transforms, ("outputColumnName", "Pixels"), ("inputColumnName", "Image"));
        var pipeline = load
            .Append(resize)
            .Append(extract)
            .Append(ml.Transforms.DnnFeaturizeImage("Features", m => m.ModelSelector.ResNet18(ml, m.OutputColumn, m.InputColumn, modelDir), "Pixels"));
        var transformed = pipeline.Fit(data).Transform(data);
        pixels = transformed.GetColumn<VBuffer<float>>("Pixels").Select(v => v.DenseValues().ToArray()).ToList();
        return transformed.GetColumn<VBuffer<float>>("Features").Select(v => v.DenseValues().ToArray()).ToList();
    }

    /// <summary>Calls the catalog extension <paramref name="method"/> with the named arguments and defaults for the rest.</summary>
    private static IEstimator<ITransformer> Call(string method, TransformsCatalog catalog, params (string Name, object Value)[] args)
    {
        var given = args.ToDictionary(a => a.Name, a => a.Value);
        var candidates = Catalog.Value.GetMethods(BindingFlags.Public | BindingFlags.Static)
            .Where(m => m.Name == method)
            .Select(m => (Method: m, Parameters: m.GetParameters()))
            .Where(m => m.Parameters.Length > 0 && m.Parameters[0].ParameterType == typeof(TransformsCatalog) &&
                        given.Keys.All(k => m.Parameters.Any(p => p.Name == k)) &&
                        m.Parameters.Skip(1).All(p => given.ContainsKey(p.Name!) || p.HasDefaultValue))
            .OrderBy(m => m.Parameters.Length)
            .ToList();
        if (candidates.Count == 0) throw new MissingMethodException("Microsoft.ML.ImageEstimatorsCatalog", method);
        var (info, parameters) = candidates[0];
        var values = parameters.Select((p, i) => i == 0 ? catalog : given.TryGetValue(p.Name!, out var v) ? v : p.DefaultValue).ToArray();
        return (IEstimator<ITransformer>)info.Invoke(null, values)!;
    }
}
