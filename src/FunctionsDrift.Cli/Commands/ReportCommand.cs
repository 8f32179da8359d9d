using System.CommandLine;
using System.Text;
using FunctionsDrift.Cli.Reporting;
using FunctionsDrift.Core.Model;

namespace FunctionsDrift.Cli.Commands;

/// <summary>
/// <c>drift report</c>: one self-contained <c>index.html</c> with the score distributions and thresholds per detector,
/// precision/recall (with labels), drift rate over time (with timestamps) and the top flagged images.
/// </summary>
internal static class ReportCommand
{
    public static Command Create(CliContext ctx)
    {
        var model = new Option<string>("--model") { Description = "The reference model the scores were made with.", Required = true };
        var scores = new Option<string>("--scores") { Description = "Score CSV from drift score, drift eval --scores-out or drift results --format csv.", Required = true };
        var labels = new Option<string?>("--labels") { Description = "Optional CSV image,label,kind (label 1 = drifted) for precision and recall." };
        var images = new Option<string?>("--images") { Description = "Optional folder of the scored images, for thumbnails of the top flagged ones." };
        var output = new Option<string>("--out") { Description = "Folder for index.html (created if missing).", Required = true };
        var top = new Option<int>("--top") { Description = "Flagged images shown.", DefaultValueFactory = _ => 24 };
        var title = new Option<string>("--title") { Description = "Page title.", DefaultValueFactory = _ => "drift report" };
        var cmd = new Command("report", "Write a self-contained HTML report: score distributions with thresholds, precision/recall, drift rate over time, top flagged images.")
            { model, scores, labels, images, output, top, title };
        cmd.SetAction((pr, ct) => ctx.Guard(async token =>
        {
            if (pr.GetValue(top) is < 0 or > 1000) throw new CliException("--top must be between 0 and 1000", ExitCode.Usage);
            var modelPath = pr.GetValue(model)!;
            if (!File.Exists(modelPath)) throw new CliException($"model not found: {modelPath}", ExitCode.Usage);
            var imagesDir = pr.GetValue(images);
            if (imagesDir is not null && !Directory.Exists(imagesDir)) throw new CliException($"images folder not found: {imagesDir}", ExitCode.Usage);
            var refModel = ReferenceModel.LoadFile(modelPath);
            var table = ScoreTable.ReadFile(pr.GetValue(scores)!);
            var input = ReportInput.FromModel(refModel, table) with
            {
                Labels = pr.GetValue(labels) is { } l ? LabelsFile.Read(l) : null,
                ImagesDir = imagesDir,
                Top = pr.GetValue(top),
                Title = pr.GetValue(title)!,
            };
            var missing = refModel.Detectors.Select(d => d.Detector.Name).Except(table.DetectorNames).ToList();
            if (missing.Count > 0) ctx.Error.WriteLine($"warning: the scores have no columns for {string.Join(", ", missing)} (made with another model?)");
            var html = await Task.Run(() => DriftReport.Build(input), token);
            var dir = pr.GetValue(output)!;
            Directory.CreateDirectory(dir);
            var path = Path.Combine(dir, "index.html");
            await File.WriteAllTextAsync(path, html, new UTF8Encoding(false), token);
            ctx.Out.WriteLine($"wrote {path} ({html.Length / 1024} KiB, {table.Rows.Count} images, {input.Detectors.Count} detectors)");
            return (int)ExitCode.Ok;
        }, ct));
        return cmd;
    }
}
