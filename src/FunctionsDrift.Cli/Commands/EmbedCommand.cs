using System.CommandLine;
using System.Globalization;
using FunctionsDrift.Cli.Reporting;
using FunctionsDrift.Core.Features;

namespace FunctionsDrift.Cli.Commands;

/// <summary><c>drift embed</c>: the tabular features per image as CSV, for NannyML, whylogs or anything else.</summary>
internal static class EmbedCommand
{
    public static Command Create(CliContext ctx)
    {
        var dir = new Argument<string>("DIR") { Description = "Folder of images." };
        var output = new Option<string>("--out") { Description = "CSV file to write.", Required = true };
        var noEmbedding = CommonOptions.NoEmbedding();
        var manifest = CommonOptions.Manifest();
        var precision = CommonOptions.Precision();
        var parallel = CommonOptions.Parallelism();
        var cmd = new Command("embed", "Write per-image features (embedding, HSV histograms, quality and patch statistics) as CSV.") { dir, output, noEmbedding, manifest, precision, parallel };
        cmd.SetAction((pr, ct) => ctx.Guard(async token =>
        {
            await Task.Yield();
            var files = CommonOptions.ListImages(ctx, pr.GetValue(dir)!);
            var extractor = CommonOptions.CreateExtractor(pr.GetValue(noEmbedding), pr.GetValue(manifest), pr.GetValue(parallel), pr.GetValue(precision));
            using var embedder = extractor.Embedder;
            var features = CommonOptions.ExtractFolder(ctx, "embedding", files, extractor, pr.GetValue(parallel), token);
            int dim = extractor.Embedder?.Dimension ?? 0;
            using var file = new StreamWriter(pr.GetValue(output)!);
            var header = new List<string> { "image", "width", "height" };
            header.AddRange(Enumerable.Range(0, dim).Select(i => $"emb_{i}"));
            foreach (var ch in ColorFeatures.Channels)
                header.AddRange(Enumerable.Range(0, ColorFeatures.Bins).Select(i => $"{ch}_{i}"));
            header.AddRange(QualityFeatures.Names);
            header.Add("error");
            int featureColumns = header.Count - 4; // every column but image, width, height and error
            using (var csv = CsvFormat.Writer(file))
            {
                csv.Header.Add(header);
                foreach (var f in features)
                {
                    using var row = csv.NewRow();
                    int c = 0;
                    row[c++].Set(CsvFormat.Guard(f.Name));
                    if (f.Features is { } x)
                    {
                        row[c++].Set(x.Width.ToString(CultureInfo.InvariantCulture));
                        row[c++].Set(x.Height.ToString(CultureInfo.InvariantCulture));
                        foreach (var v in x.Embedding.Concat(x.Hsv).Concat(x.Quality)) row[c++].Set(v.ToString("G7", CultureInfo.InvariantCulture));
                        row[c].Set("");
                    }
                    else
                    {
                        while (c < header.Count - 1) row[c++].Set("");
                        row[c].Set(CsvFormat.Guard(f.Error));
                    }
                }
            }
            ctx.Out.WriteLine($"{features.Length} images, {featureColumns} feature columns → {pr.GetValue(output)}");
            return (int)ExitCode.Ok;
        }, ct));
        return cmd;
    }
}
