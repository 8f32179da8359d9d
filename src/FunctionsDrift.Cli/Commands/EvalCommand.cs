using System.CommandLine;
using FunctionsDrift.Cli.Reporting;
using FunctionsDrift.Core.Detectors;
using FunctionsDrift.Core.Features;
using FunctionsDrift.Core.Model;
using FunctionsDrift.Core.Scoring;

namespace FunctionsDrift.Cli.Commands;

/// <summary>
/// <c>drift eval</c>: fit on reference images only, score labelled test images, and print the study's table
/// (precision and recall) for each detector alone, for detector groups and for the fused verdict, plus recall per drift kind.
/// Labels are used only to count hits, never to set a threshold.
/// </summary>
internal static class EvalCommand
{
    public static Command Create(CliContext ctx)
    {
        var reference = new Option<string?>("--reference") { Description = "Folder of reference images (fitted and calibrated here)." };
        var model = new Option<string?>("--model") { Description = "Use this reference model instead of fitting one." };
        var test = new Option<string>("--test") { Description = "Folder of test images.", Required = true };
        var labels = new Option<string>("--labels") { Description = "CSV with columns image,label,kind (label 1 = drifted).", Required = true };
        var scoresOut = new Option<string?>("--scores-out") { Description = "Also write the per-image scores (CSV) here." };
        var fit = new FitArguments();
        var noBenign = new Option<bool>("--no-benign-checks") { Description = "Skip re-scoring up to 60 clean test images (and 60 reference images) re-encoded (JPEG 90–97), with a 1 % colour cast and 5 % darker." };
        var noEmbedding = CommonOptions.NoEmbedding();
        var manifest = CommonOptions.Manifest();
        var precision = CommonOptions.Precision();
        var parallel = CommonOptions.Parallelism();
        var cmd = new Command("eval", "Precision and recall of each detector and of the fused verdict on labelled test images.")
            { reference, model, test, labels, scoresOut, noBenign, noEmbedding, manifest, precision, parallel };
        fit.AddTo(cmd);
        cmd.SetAction((pr, ct) => ctx.Guard(async token =>
        {
            await Task.Yield();
            var truth = LabelsFile.Read(pr.GetValue(labels)!);
            var options = fit.Read(pr);
            ReferenceModel refModel;
            FeatureExtractor extractor;
            IReadOnlyList<string> referenceFiles = [];
            if (pr.GetValue(model) is { } modelPath)
            {
                refModel = ReferenceModel.LoadFile(modelPath);
                extractor = ScoreCommand.ExtractorFor(refModel, pr.GetValue(manifest), pr.GetValue(parallel), CommonOptions.GivenValue(pr, precision));
            }
            else if (pr.GetValue(reference) is { } refDir)
            {
                // One extractor (one ONNX session) reads the reference and then the test images.
                extractor = CommonOptions.CreateExtractor(pr.GetValue(noEmbedding), pr.GetValue(manifest), pr.GetValue(parallel), pr.GetValue(precision));
                referenceFiles = CommonOptions.ListImages(ctx, refDir);
                refModel = CommonOptions.FitReferenceFolder(ctx, referenceFiles, extractor, options, pr.GetValue(parallel), token);
            }
            else
            {
                throw new CliException("give --reference DIR (to fit) or --model FILE", ExitCode.Usage);
            }
            using var embedder = extractor.Embedder;
            var testFiles = CommonOptions.ListImages(ctx, pr.GetValue(test)!);
            var rows = ScoreCommand.ScoreFolder(ctx, refModel, testFiles, extractor, pr.GetValue(parallel), token);
            if (pr.GetValue(scoresOut) is { } so)
            {
                using var w = new StreamWriter(so);
                ResultRowWriter.Write(w, "csv", refModel.Detectors.Select(d => d.Detector.Name).ToList(), rows);
            }
            var report = Evaluate(refModel, rows, truth, fit.FalseAlarmRate(pr));
            Print(ctx.Out, report, refModel);
            if (!pr.GetValue(noBenign))
            {
                var clean = testFiles.Where(f => truth.TryGetValue(Path.GetFileName(f), out var l) && l.Value == 0).ToList();
                var flagged = rows.Where(r => r.Drift == true).Select(r => r.Image).ToHashSet();
                var checks = BenignChecks.Run(clean, flagged, referenceFiles, extractor, new DriftScorer(refModel), 60, token);
                ctx.Out.WriteLine();
                ctx.Out.WriteLine("benign changes (flagged by the fused verdict; \"newly\" = not flagged unchanged):");
                ctx.Out.WriteLine("| change | images | flagged | newly flagged |");
                ctx.Out.WriteLine("|---|---|---:|---:|");
                foreach (var c in checks) ctx.Out.WriteLine($"| {c.Change} | {c.Images} | {c.Flagged} of {c.Total} | {c.NewlyFlagged} of {c.Total} |");
            }
            return (int)ExitCode.Ok;
        }, ct));
        return cmd;
    }

    internal sealed record Report(IReadOnlyList<DetectionMetrics> Rows, int Images, int Drifted, int Unreadable, int Unlabelled);

    public static Report Evaluate(ReferenceModel model, IReadOnlyList<ResultRow> rows, IReadOnlyDictionary<string, ImageLabel> truth, double alpha)
    {
        var names = model.Detectors.Select(d => d.Detector.Name).ToList();
        var groups = new List<(string Name, string[] Members)>();
        groups.AddRange(names.Select(n => (n, new[] { n })));
        string[] cnn = [PcaReconstructionDetector.KindName, NearestNeighbourDetector.KindName];
        string[] noCnn = [HsvDivergenceDetector.KindName, QualityDetector.KindName];
        if (cnn.All(names.Contains)) groups.Add(("CNN pair (pca+knn)", cnn));
        if (noCnn.All(names.Contains)) groups.Add(("no-CNN (hsv+quality)", noCnn));
        groups.Add(("FUSED (all)", names.ToArray()));

        var scored = rows.Where(r => r.Drift is not null && truth.ContainsKey(r.Image)).ToList();
        var list = groups.Select(g => DetectionMetrics.Count(g.Name, scored.Select(r =>
            (Flag: r.Detectors.Where(d => g.Members.Contains(d.Detector)).Min(d => d.PValue) * g.Members.Length <= alpha,
             Label: truth[r.Image])))).ToList();
        return new Report(list, scored.Count, scored.Count(r => truth[r.Image].Value == 1), rows.Count(r => r.Error is not null), rows.Count(r => r.Drift is not null && !truth.ContainsKey(r.Image)));
    }

    public static void Print(TextWriter w, Report report, ReferenceModel model)
    {
        w.WriteLine($"{report.Images} labelled test images ({report.Drifted} drifted), reference {model.Version} fitted on {model.ImageCount} images; every row at a {model.Options.FalseAlarmRate:P0} target false-alarm rate.");
        if (report.Unreadable > 0 || report.Unlabelled > 0) w.WriteLine($"({report.Unreadable} unreadable and {report.Unlabelled} unlabelled images not counted)");
        w.WriteLine();
        w.WriteLine($"| {"detector",-28} | precision | recall | false alarms | missed |");
        w.WriteLine($"|{new string('-', 30)}|----------:|-------:|-------------:|-------:|");
        foreach (var r in report.Rows)
        {
            w.WriteLine($"| {r.Name,-28} | {r.Precision,8:P1} | {r.Recall,6:P1} | {r.Fp,5} ({r.FalseAlarmRate,5:P1}) | {r.Fn,6} |");
        }
        w.WriteLine($"| {"study: ResNet18 + PCA",-28} | {0.96,8:P1} | {0.93,6:P1} | {"",12} | {"",6} |");
        w.WriteLine($"| {"study: whylogs HSV",-28} | {0.91,8:P1} | {0.80,6:P1} | {"",12} | {"",6} |");
        w.WriteLine();
        var kinds = report.Rows.SelectMany(r => r.PerKind.Keys).Distinct().Order(StringComparer.Ordinal).ToList();
        if (kinds.Count == 0) return;
        var cols = report.Rows.Where(r => !r.Name.Contains('(') || r.Name.StartsWith("FUSED", StringComparison.Ordinal)).ToList();
        w.WriteLine("recall per drift kind:");
        w.WriteLine("| kind | " + string.Join(" | ", cols.Select(c => c.Name.Split(' ')[0])) + " |");
        w.WriteLine("|---|" + string.Concat(cols.Select(_ => "---:|")));
        foreach (var k in kinds)
        {
            w.WriteLine($"| {k} | " + string.Join(" | ", cols.Select(c => c.PerKind.TryGetValue(k, out var v) ? $"{v.Hit}/{v.Total}" : "-")) + " |");
        }
    }
}
