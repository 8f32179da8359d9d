using System.CommandLine;
using FunctionsDrift.Core.Detectors;
using FunctionsDrift.Core.Model;

namespace FunctionsDrift.Cli.Commands;

/// <summary><c>drift fit</c>: fit and calibrate a reference model from a folder of reference images.</summary>
internal static class FitCommand
{
    public static Command Create(CliContext ctx)
    {
        var reference = new Option<string>("--reference") { Description = "Folder of reference images (name order = time order).", Required = true };
        var output = new Option<string>("--out") { Description = "Reference model file to write.", Required = true };
        var fit = new FitArguments();
        var noEmbedding = CommonOptions.NoEmbedding();
        var manifest = CommonOptions.Manifest();
        var precision = CommonOptions.Precision();
        var parallel = CommonOptions.Parallelism();
        var cmd = new Command("fit", "Fit and calibrate a reference model from reference images.") { reference, output, noEmbedding, manifest, precision, parallel };
        fit.AddTo(cmd);
        cmd.SetAction((pr, ct) => ctx.Guard(async token =>
        {
            await Task.Yield();
            // Settings first: a misspelt detector is an error before minutes of feature extraction, not after.
            var options = fit.Read(pr);
            var files = CommonOptions.ListImages(ctx, pr.GetValue(reference)!);
            var extractor = CommonOptions.CreateExtractor(pr.GetValue(noEmbedding), pr.GetValue(manifest), pr.GetValue(parallel), pr.GetValue(precision));
            using var embedder = extractor.Embedder;
            var model = CommonOptions.FitReferenceFolder(ctx, files, extractor, options, pr.GetValue(parallel), token, new Progress<string>(m => ctx.Error.WriteLine(m)));
            model.SaveFile(pr.GetValue(output)!);
            PrintSummary(ctx.Out, model, pr.GetValue(output)!);
            return (int)ExitCode.Ok;
        }, ct));
        return cmd;
    }

    public static void PrintSummary(TextWriter w, ReferenceModel model, string path)
    {
        w.WriteLine($"reference model {model.Version} → {path}");
        w.WriteLine($"  images: {model.ImageCount}, embedding: {model.ModelIdentity}, calibration {model.Options.Calibration} in blocks of {model.Options.BlockSize}");
        w.WriteLine($"  fused false-alarm target {model.Options.FalseAlarmRate:P1}, per detector {model.DetectorLevel:P2} (Bonferroni over {model.Detectors.Count})");
        foreach (var d in model.Detectors)
        {
            double threshold = d.Calibrator.Threshold(model.DetectorLevel);
            string extra = d.Detector is PcaReconstructionDetector pca ? $", {pca.Components} components kept ({model.Options.PcaVariance:P0} variance)" : "";
            // A threshold of 0 reads like a broken fit; it means the reference never moved past the effect-size floor (the
            // tail then extrapolates from nothing, so the threshold sits a rounding error above 0).
            if (d.Calibrator.Scores[^1] <= 0 && threshold < 1e-6)
            {
                extra += "; no held-out reference image came past its effect-size floor, so any change past the floor is flagged";
            }
            w.WriteLine($"  {d.Detector.Name,-8} threshold {threshold:0.####} (calibration median {Median(d.Calibrator.Scores):0.####}, max {d.Calibrator.Scores[^1]:0.####}){extra}");
        }
    }

    private static double Median(ReadOnlySpan<float> sorted) => sorted.Length == 0 ? 0 : sorted[sorted.Length / 2];
}
