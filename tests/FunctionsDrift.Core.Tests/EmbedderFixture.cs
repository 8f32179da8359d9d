using FunctionsDrift.Core.Embedding;
using FunctionsDrift.Core.Features;

namespace FunctionsDrift.Core.Tests;

/// <summary>One real ONNX Runtime session with the bundled ResNet18, shared by every test class that needs it.</summary>
public sealed class EmbedderFixture : IDisposable
{
    public OnnxEmbedder Embedder { get; } = OnnxEmbedder.CreateDefault();

    public FeatureExtractor Extractor { get; }

    public EmbedderFixture() => Extractor = new FeatureExtractor(Embedder);

    public void Dispose() => Embedder.Dispose();
}

[CollectionDefinition(Name)]
public sealed class EmbedderCollection : ICollectionFixture<EmbedderFixture>
{
    public const string Name = "ResNet18 embedder";
}
