using System.CommandLine;
using System.Text;
using FunctionsDrift.Core;
using FunctionsDrift.Cli.Reporting;
using FunctionsDrift.Core.Augmentation;
using FunctionsDrift.Core.Images;
using Spectre.Console;

namespace FunctionsDrift.Cli.Commands;

/// <summary>
/// <c>drift augment</c>: writes one drifted copy of every image in a folder (kinds round-robin in a seeded order) and a
/// <c>labels.csv</c>, to build labelled test sets for the detectors.
/// </summary>
internal static class AugmentCommand
{
    private sealed record Settings(string In, string Out, List<DriftKind> Kinds, int Seed, string? Objects, bool IncludeClean);

    public static Command Create(CliContext ctx)
    {
        var inOption = new Option<string>("--in") { Description = "Folder of clean images (jpg, jpeg, png, webp, bmp, gif).", Required = true };
        var outOption = new Option<string>("--out") { Description = "Folder for the drifted images and labels.csv (created if missing).", Required = true };
        var kindsOption = new Option<string?>("--kinds")
        {
            Description = $"Comma-separated drift kinds to use round-robin (default: all): {DriftKinds.ValidNames}.",
        };
        var seedOption = new Option<int>("--seed") { Description = "Seed for the kind order and every parameter.", DefaultValueFactory = _ => AugmentSupport.DefaultSeed };
        var objectsOption = new Option<string?>("--objects") { Description = "Folder of object images for object-paste (default: synthetic shapes)." };
        var cleanOption = new Option<bool>("--include-clean") { Description = "Also copy every input unchanged (label 0, kind none)." };

        var command = new Command("augment", "Write drifted copies of a folder of images and a labels.csv (label 1 drifted, 0 clean).");
        foreach (var option in new Option[] { inOption, outOption, kindsOption, seedOption, objectsOption, cleanOption })
        {
            command.Options.Add(option);
        }
        command.SetAction((ParseResult pr, CancellationToken ct) => ctx.Guard(token =>
        {
            var settings = new Settings(
                pr.GetValue(inOption)!,
                pr.GetValue(outOption)!,
                AugmentSupport.ParseKinds(pr.GetValue(kindsOption)),
                pr.GetValue(seedOption),
                pr.GetValue(objectsOption),
                pr.GetValue(cleanOption));
            return RunAsync(ctx, settings, token);
        }, ct));
        return command;
    }

    private static async Task<int> RunAsync(CliContext ctx, Settings s, CancellationToken ct)
    {
        var inputs = CommonOptions.ListImages(ctx, s.In);
        if (string.Equals(Path.GetFullPath(s.In).TrimEnd('/'), Path.GetFullPath(s.Out).TrimEnd('/'), StringComparison.Ordinal))
        {
            throw new CliException("--out must be a different folder from --in", ExitCode.Usage);
        }
        Directory.CreateDirectory(s.Out);
        using var generator = AugmentSupport.CreateGenerator(s.Objects, ctx);

        // The kind order is shuffled by the seed, then used round-robin.
        var order = s.Kinds.ToArray();
        new Random(s.Seed).Shuffle(order);

        var rows = new List<string[]>();
        var warnings = new List<string>();
        int drifted = 0, clean = 0;

        void ProcessOne(int index, Action<string> report)
        {
            ct.ThrowIfCancellationRequested();
            var path = inputs[index];
            var fileName = Path.GetFileName(path);
            var kind = order[index % order.Length];
            AugmentResult result;
            try
            {
                using var bitmap = ImageLoader.LoadFile(path);
                result = generator.Apply(bitmap, kind, SeedMixer.For(s.Seed, index));
            }
            catch (DriftException e)
            {
                warnings.Add($"warning: skipping {fileName}: {e.Message}");
                report($"[{index + 1}/{inputs.Count}] {fileName}: skipped ({e.Message})");
                return;
            }
            using (result)
            {
                if (s.IncludeClean)
                {
                    File.Copy(path, Path.Combine(s.Out, fileName), overwrite: true);
                    rows.Add([fileName, "0", "none", ""]);
                    clean++;
                }
                var outName = $"{Path.GetFileNameWithoutExtension(path)}__{kind.Name}.jpg";
                AugmentSupport.WriteJpeg(result.Image, Path.Combine(s.Out, outName));
                rows.Add([outName, "1", kind.Name, result.Parameters]);
                drifted++;
                report($"[{index + 1}/{inputs.Count}] {fileName} -> {outName} ({result.Parameters})");
            }
        }

        if (ctx.Interactive)
        {
            await AnsiConsole.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                .StartAsync(async progress =>
                {
                    var task = progress.AddTask("augmenting", maxValue: inputs.Count);
                    for (int i = 0; i < inputs.Count; i++)
                    {
                        await Task.Run(() => ProcessOne(i, _ => { }), ct);
                        task.Increment(1);
                    }
                });
            warnings.ForEach(ctx.Error.WriteLine);
        }
        else
        {
            for (int i = 0; i < inputs.Count; i++)
            {
                int warned = warnings.Count;
                ProcessOne(i, ctx.Out.WriteLine);
                for (int w = warned; w < warnings.Count; w++)
                {
                    ctx.Error.WriteLine(warnings[w]);
                }
            }
        }

        var labels = new StringWriter();
        using (var csv = CsvFormat.Writer(labels))
        {
            csv.Header.Add(["image", "label", "kind", "params"]);
            foreach (var r in rows)
            {
                using var row = csv.NewRow();
                for (int c = 0; c < r.Length; c++) row[c].Set(CsvFormat.Guard(r[c]));
            }
        }
        await File.WriteAllTextAsync(Path.Combine(s.Out, "labels.csv"), labels.ToString(), new UTF8Encoding(false), ct);

        ctx.Out.WriteLine($"wrote {drifted} drifted{(s.IncludeClean ? $" + {clean} clean" : "")} images and labels.csv to {s.Out}" +
                          (warnings.Count > 0 ? $" ({warnings.Count} skipped)" : ""));
        return drifted == 0 ? (int)ExitCode.Failure : (int)ExitCode.Ok;
    }
}
