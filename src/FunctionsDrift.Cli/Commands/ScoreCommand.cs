using System.CommandLine;
using FunctionsDrift.Core.Embedding;
using FunctionsDrift.Core.Features;
using FunctionsDrift.Core.Model;
using FunctionsDrift.Core.Scoring;

namespace FunctionsDrift.Cli.Commands;

/// <summary><c>drift score</c>: one row per image of a folder, in file-name order.</summary>
internal static class ScoreCommand
{
    public static Command Create(CliContext ctx)
    {
        var model = new Option<string>("--model") { Description = "Reference model file (from drift fit).", Required = true };
        var dir = new Argument<string>("DIR") { Description = "Folder of images to score." };
        var output = new Option<string?>("--out") { Description = "Write rows to this file instead of standard output." };
        var format = new Option<string>("--format") { Description = "csv or jsonl.", DefaultValueFactory = _ => "csv" };
        format.AcceptOnlyFromAmong("csv", "jsonl");
        var manifest = CommonOptions.Manifest();
        var precision = CommonOptions.Precision();
        var parallel = CommonOptions.Parallelism();
        var cmd = new Command("score", "Score every image of a folder against a reference model.") { model, dir, output, format, manifest, precision, parallel };
        cmd.SetAction((pr, ct) => ctx.Guard(async token =>
        {
            await Task.Yield();
            var reference = ReferenceModel.LoadFile(pr.GetValue(model)!);
            var files = CommonOptions.ListImages(ctx, pr.GetValue(dir)!);
            var extractor = ExtractorFor(reference, pr.GetValue(manifest), pr.GetValue(parallel), CommonOptions.GivenValue(pr, precision));
            using var embedder = extractor.Embedder;
            var rows = ScoreFolder(ctx, reference, files, extractor, pr.GetValue(parallel), token);
            var detectors = reference.Detectors.Select(d => d.Detector.Name).ToList();
            var outPath = pr.GetValue(output);
            if (outPath is null)
            {
                ResultRowWriter.Write(ctx.Out, pr.GetValue(format)!, detectors, rows);
            }
            else
            {
                using var w = new StreamWriter(outPath);
                ResultRowWriter.Write(w, pr.GetValue(format)!, detectors, rows);
                int drifted = rows.Count(r => r.Drift == true), errors = rows.Count(r => r.Error is not null);
                ctx.Out.WriteLine($"{rows.Count} images scored: {drifted} drifted, {rows.Count - drifted - errors} clean, {errors} unreadable → {outPath}");
            }
            return (int)ExitCode.Ok;
        }, ct));
        return cmd;
    }

    /// <summary>
    /// An extractor that makes the features <paramref name="reference"/> expects (with or without the CNN): the bundled
    /// ResNet18 of the precision it was fitted with, unless the user named a manifest or a precision.
    /// </summary>
    /// <param name="precision">The precision the user asked for, or null when they did not.</param>
    public static FeatureExtractor ExtractorFor(ReferenceModel reference, string? manifest, int parallel, string? precision)
    {
        if (manifest is null && precision is null && ModelManifest.PrecisionOfIdentity(reference.ModelIdentity) is { } fitted)
        {
            precision = fitted.Name();
        }
        return CommonOptions.CreateExtractor(!reference.NeedsEmbedding, manifest, parallel, precision);
    }

    public static List<ResultRow> ScoreFolder(CliContext ctx, ReferenceModel reference, IReadOnlyList<string> files, FeatureExtractor extractor, int parallel, CancellationToken token)
    {
        if (extractor.ModelIdentity != reference.ModelIdentity)
        {
            var fitted = ModelManifest.PrecisionOfIdentity(reference.ModelIdentity);
            var fix = fitted is { } p && extractor.ModelIdentity != "none"
                ? $"score with --precision {p.Name()}, or refit the reference with this precision (drift fit --precision {ModelManifest.PrecisionOfIdentity(extractor.ModelIdentity)?.Name() ?? "…"})"
                : "score with the --manifest or --precision the model was fitted with, or refit the reference";
            throw new CliException($"the reference model was fitted with {CommonOptions.DescribeIdentity(reference.ModelIdentity)}, " +
                                   $"but this run embeds with {CommonOptions.DescribeIdentity(extractor.ModelIdentity)}; features of one are never mixed with the other's: {fix}");
        }
        var features = CommonOptions.ExtractFolder(ctx, "scoring", files, extractor, parallel, token, reference);
        var scorer = new DriftScorer(reference);
        return features.Select(f => f.Features is null
            ? ResultRow.Failed(f.Name, f.Error)
            : ResultRow.Scored(f.Name, scorer.Score(f.Features))).ToList();
    }
}
