using System.CommandLine;
using System.Globalization;
using System.Text;
using FunctionsDrift.Cli.Reporting;
using FunctionsDrift.Core.Augmentation;
using FunctionsDrift.Core.Features;
using FunctionsDrift.Core.Images;
using FunctionsDrift.Core.Model;
using FunctionsDrift.Core.Scoring;
using FunctionsDrift.Core.Windows;

namespace FunctionsDrift.Cli.Commands;

/// <summary>
/// <c>drift windows-power</c>: how often the window tests flag a clean stream of frames, and how often they flag it under
/// faint sustained shifts (<see cref="WindowShift"/>) of growing strength. Writes <c>power.csv</c> and <c>power.svg</c>.
/// For comparison it also runs the MMD alone under the reference-window null and under a block permutation null, and,
/// with <c>--model</c>, the share of changed frames the per-image verdict flags.
/// </summary>
internal static class WindowsPowerCommand
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static Command Create(CliContext ctx)
    {
        var reference = new Option<string?>("--reference-features") { Description = "drift embed CSV of the reference images, in time order." };
        var stream = new Option<string?>("--stream") { Description = "Folder of clean stream frames; file-name order is time order." };
        var labels = new Option<string?>("--labels") { Description = "labels.csv (image,label): frames labelled 1 are left out of the stream." };
        var model = new Option<string?>("--model") { Description = "Reference model: also report the share of frames the per-image verdict flags." };
        var window = new Option<int>("--window") { Description = "Images per window.", DefaultValueFactory = _ => WindowOptions.Defaults.WindowSize };
        var stride = new Option<int>("--stride") { Description = "Offset between the windows tested (sliding windows).", DefaultValueFactory = _ => 4 };
        var alpha = new Option<double>("--alpha") { Description = "Per-window false-alarm level.", DefaultValueFactory = _ => WindowOptions.Defaults.Alpha };
        var shifts = new Option<string>("--shifts") { Description = $"Comma-separated: {string.Join(", ", WindowShift.All.Select(s => s.Name))}.", DefaultValueFactory = _ => string.Join(',', WindowShift.All.Select(s => s.Name)) };
        var block = new Option<int>("--block") { Description = "Block length of the block-permutation comparison (0 = skip it).", DefaultValueFactory = _ => 10 };
        var permutations = new Option<int>("--permutations") { Description = "Permutations of the block-permutation comparison.", DefaultValueFactory = _ => 200 };
        var seed = new Option<int>("--seed") { Description = "Seed of the share draws, the drift kinds and the permutations.", DefaultValueFactory = _ => 7 };
        var output = new Option<string>("--out") { Description = "Folder for power.csv and power.svg.", Required = true };
        var replot = new Option<string?>("--replot") { Description = "Only draw power.svg again from this power.csv (no measurement)." };
        var cmd = new Command("windows-power", "Measure the window tests: false alarms on a clean stream and power against faint sustained shifts.")
            { reference, stream, labels, model, window, stride, alpha, shifts, block, permutations, seed, output, replot };
        cmd.SetAction((pr, ct) => ctx.Guard(async token =>
        {
            await Task.Yield();
            if (pr.GetValue(replot) is { } csvPath)
            {
                var saved = ReadCsv(csvPath);
                var dirOnly = Directory.CreateDirectory(pr.GetValue(output)!).FullName;
                var savedKinds = saved.Select(r => r.Shift).Distinct().Select(WindowShift.Parse).ToList();
                File.WriteAllText(Path.Combine(dirOnly, "power.svg"), Plot(savedKinds, saved, pr.GetValue(alpha), pr.GetValue(window),
                    saved.Any(r => r.ImageFlagRate is not null), saved.Any(r => r.BlockMmdPower is not null)));
                ctx.Out.WriteLine($"→ {Path.Combine(dirOnly, "power.svg")}");
                return (int)ExitCode.Ok;
            }
            if (pr.GetValue(reference) is null || pr.GetValue(stream) is null) throw new CliException("--reference-features and --stream are required to measure", ExitCode.Usage);
            int size = pr.GetValue(window), step = pr.GetValue(stride), blockLength = pr.GetValue(block), perms = pr.GetValue(permutations), seedValue = pr.GetValue(seed);
            if (step < 1) throw new CliException("--stride must be at least 1", ExitCode.Usage);
            if (blockLength < 0 || perms < 1) throw new CliException("--block must be ≥ 0 and --permutations ≥ 1", ExitCode.Usage);
            var kinds = pr.GetValue(shifts)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(WindowShift.Parse).ToList();
            var options = new WindowOptions { WindowSize = size, Alpha = pr.GetValue(alpha) };
            var refFeatures = FeatureTable.ReadFile(pr.GetValue(reference)!, out _).Select(r => r.Features).ToList();
            var tester = WindowDriftTester.Create(refFeatures, options, token);
            var files = Frames(ctx, pr.GetValue(stream)!, pr.GetValue(labels));
            if (files.Count < size) throw new CliException($"the stream has {files.Count} frames, fewer than one window of {size}");
            var scorer = pr.GetValue(model) is { } m ? new DriftScorer(ReferenceModel.LoadFile(m)) : null;
            var extractor = CommonOptions.CreateExtractor(noEmbedding: false, manifestPath: null, parallelism: 0);
            using var embedder = extractor.Embedder;
            using var generator = new DriftGenerator();
            var blockNull = blockLength > 0 && tester.HasEmbeddings ? new BlockPermutationMmd(refFeatures, blockLength, perms) : null;

            var starts = Enumerable.Range(0, (files.Count - size) / step + 1).Select(k => k * step).ToList();
            ctx.Error.WriteLine($"{files.Count} frames, {starts.Count} windows of {size} (every {step}); null: {tester.NullSize(size).Windows} reference windows, {tester.NullSize(size).Effective:0.#} independent");
            // With a model, features carry its region crop so that the per-image verdict can be counted.
            Func<ImageFeatures, int?>? regionCell = scorer is null ? null : scorer.Model.RegionCell;
            var clean = Extract(ctx, "clean frames", files, extractor, (_, _) => null, regionCell, token);
            var rows = new List<PowerRow>();
            foreach (var kind in kinds)
            {
                foreach (double strength in kind.Strengths)
                {
                    var features = strength == 0 ? clean : Extract(ctx, $"{kind.Name} {strength.ToString("G3", Inv)}", files, extractor,
                        (bitmap, i) => kind.Apply(bitmap, strength, i, seedValue, generator), regionCell, token, clean);
                    rows.Add(Measure(kind, strength, features, starts, size, tester, blockNull, scorer, seedValue, token));
                    var r = rows[^1];
                    ctx.Out.WriteLine($"{kind.Name,-15} {strength,5:G3}: windows flagged {r.Flagged}/{r.Windows} ({r.Power:P0}); MMD alone {r.MmdPower:P0}, block permutation {(r.BlockMmdPower is double b ? b.ToString("P0", Inv) : "-")}; frames flagged one by one {(r.ImageFlagRate is double f ? f.ToString("P1", Inv) : "-")}");
                }
            }
            var dir = Directory.CreateDirectory(pr.GetValue(output)!).FullName;
            WriteCsv(Path.Combine(dir, "power.csv"), rows);
            File.WriteAllText(Path.Combine(dir, "power.svg"), Plot(kinds, rows, options.Alpha, size, scorer is not null, blockNull is not null));
            ctx.Out.WriteLine($"→ {Path.Combine(dir, "power.csv")}, {Path.Combine(dir, "power.svg")}");
            return (int)ExitCode.Ok;
        }, ct));
        return cmd;
    }

    private sealed record PowerRow(string Shift, double Strength, int Windows, int Flagged, double Power, double MmdPower, double? BlockMmdPower, double? ImageFlagRate);

    private static List<string> Frames(CliContext ctx, string dir, string? labelsPath)
    {
        var files = CommonOptions.ListImages(ctx, dir).ToList();
        if (labelsPath is null) return files;
        var table = CsvTable.ReadFile(labelsPath);
        int image = table.RequireColumn("image", labelsPath), label = table.RequireColumn("label", labelsPath);
        var drifted = table.Rows.Where(r => CsvTable.Cell(r, label).Trim() == "1").Select(r => CsvTable.Cell(r, image)).ToHashSet(StringComparer.Ordinal);
        return files.Where(f => !drifted.Contains(Path.GetFileName(f))).ToList();
    }

    /// <summary>Features of every frame after <paramref name="change"/>; frames it leaves alone reuse <paramref name="unchanged"/>.</summary>
    private static ImageFeatures[] Extract(CliContext ctx, string what, IReadOnlyList<string> files, FeatureExtractor extractor,
        Func<SkiaSharp.SKBitmap, int, SkiaSharp.SKBitmap?> change, Func<ImageFeatures, int?>? regionCell, CancellationToken ct, ImageFeatures[]? unchanged = null)
    {
        var features = new ImageFeatures[files.Count];
        Parallel.For(0, files.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = ct }, i =>
        {
            using var bitmap = ImageLoader.LoadFile(files[i], ImageLoadOptions.Scoring);
            using var changed = change(bitmap, i);
            features[i] = changed is null && unchanged is not null ? unchanged[i] : extractor.Extract(changed ?? bitmap, regionCell);
        });
        ctx.Error.WriteLine($"  extracted {what}");
        return features;
    }

    private static PowerRow Measure(WindowShift kind, double strength, ImageFeatures[] features, List<int> starts, int size,
        WindowDriftTester tester, BlockPermutationMmd? blockNull, DriftScorer? scorer, int seed, CancellationToken ct)
    {
        int flagged = 0, mmdFlagged = 0, blockFlagged = 0;
        double alpha = tester.Options.Alpha;
        foreach (int o in starts)
        {
            ct.ThrowIfCancellationRequested();
            var window = Enumerable.Range(o, size).Select(i => new WindowSample($"{i}", features[i])).ToList();
            var r = tester.Test(window, o);
            if (r.Drift) flagged++;
            if (r.MmdPValue <= alpha) mmdFlagged++;
            if (blockNull is not null && blockNull.PValue(window.Select(w => w.Features).ToList(), SeedMixer.Mix(seed, o)) <= alpha) blockFlagged++;
        }
        double? imageRate = scorer is null ? null : features.Count(f => scorer.Score(f).Drift) / (double)features.Length;
        int n = starts.Count;
        return new PowerRow(kind.Name, strength, n, flagged, (double)flagged / n, (double)mmdFlagged / n, blockNull is null ? null : (double)blockFlagged / n, imageRate);
    }

    private static void WriteCsv(string path, IEnumerable<PowerRow> rows)
    {
        using var file = new StreamWriter(path);
        using var csv = CsvFormat.Writer(file);
        csv.Header.Add(["shift", "strength", "windows", "flagged", "power", "mmd_power", "block_mmd_power", "image_flag_rate"]);
        foreach (var r in rows)
        {
            using var row = csv.NewRow();
            row[0].Set(CsvFormat.Guard(r.Shift));
            row[1].Set(r.Strength.ToString("G4", Inv));
            row[2].Set(r.Windows.ToString(Inv));
            row[3].Set(r.Flagged.ToString(Inv));
            row[4].Set(r.Power.ToString("G4", Inv));
            row[5].Set(r.MmdPower.ToString("G4", Inv));
            row[6].Set(r.BlockMmdPower?.ToString("G4", Inv) ?? "");
            row[7].Set(r.ImageFlagRate?.ToString("G4", Inv) ?? "");
        }
    }

    private static List<PowerRow> ReadCsv(string path)
    {
        var t = CsvTable.ReadFile(path);
        double? N(string[] row, string column) => CsvTable.Number(CsvTable.Cell(row, t.RequireColumn(column, path)));
        return t.Rows.Select(r => new PowerRow(CsvTable.Cell(r, t.RequireColumn("shift", path)), N(r, "strength") ?? 0, (int)(N(r, "windows") ?? 0),
            (int)(N(r, "flagged") ?? 0), N(r, "power") ?? 0, N(r, "mmd_power") ?? 0, N(r, "block_mmd_power"), N(r, "image_flag_rate"))).ToList();
    }

    /// <summary>One panel per shift, two panels a row.</summary>
    private static string Plot(IReadOnlyList<WindowShift> kinds, List<PowerRow> rows, double alpha, int size, bool images, bool block)
    {
        const int w = 580, h = 290;
        int cols = Math.Min(2, kinds.Count), lines = (kinds.Count + 1) / 2;
        var sb = new StringBuilder();
        sb.Append(Inv, $"<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {cols * w} {lines * h}\" width=\"{cols * w}\" height=\"{lines * h}\">");
        sb.Append(SvgPlot.StandaloneStyle);
        for (int k = 0; k < kinds.Count; k++)
        {
            var mine = rows.Where(r => r.Shift == kinds[k].Name).ToList();
            var series = new List<LineSeries>
            {
                new($"windows of {size}", "#2e86de", mine.Select(r => (r.Strength, r.Power)).ToList()),
                new("MMD alone", "#16a085", mine.Select(r => (r.Strength, r.MmdPower)).ToList(), Dashed: true),
            };
            if (block) series.Add(new("MMD, block perm.", "#8e44ad", mine.Select(r => (r.Strength, r.BlockMmdPower ?? double.NaN)).ToList(), Dashed: true));
            if (images) series.Add(new("frames one by one", "#e67e22", mine.Select(r => (r.Strength, r.ImageFlagRate ?? double.NaN)).ToList()));
            sb.Append(Inv, $"<g transform=\"translate({k % 2 * w} {k / 2 * h})\">");
            sb.Append(SvgPlot.Lines($"power-{kinds[k].Name}", kinds[k].Name, kinds[k].Unit, "flagged", series, alpha, $"α = {alpha:G2}"));
            sb.Append("</g>");
        }
        sb.Append("</svg>");
        return sb.ToString();
    }

    /// <summary>
    /// The alternative null, measured for comparison: MMD² of the window against the reference, with a permutation test
    /// that moves whole blocks of consecutive images between the two groups.
    /// </summary>
    private sealed class BlockPermutationMmd(IReadOnlyList<ImageFeatures> reference, int blockLength, int permutations)
    {
        private readonly List<float[]> _reference = reference.Select(f => WindowDriftTester.Normalise(f.Embedding)).ToList();
        private double? _sigma2;

        public double PValue(IReadOnlyList<ImageFeatures> window, int seed)
        {
            _sigma2 ??= TwoSampleTests.MedianHeuristicSigma2(_reference);
            var pool = new List<float[]>(_reference);
            pool.AddRange(window.Select(f => WindowDriftTester.Normalise(f.Embedding)));
            var gram = TwoSampleTests.GaussianGram(pool, _sigma2.Value);
            int n = _reference.Count, m = window.Count;
            // Blocks of consecutive pool indices; the window's blocks come last.
            var blocks = new List<int[]>();
            for (int s = 0; s < n; s += blockLength) blocks.Add(Enumerable.Range(s, Math.Min(blockLength, n - s)).ToArray());
            int windowBlocks = 0;
            for (int s = 0; s < m; s += blockLength, windowBlocks++) blocks.Add(Enumerable.Range(n + s, Math.Min(blockLength, m - s)).ToArray());
            var order = new int[n + m];
            double Statistic(IReadOnlyList<int[]> arranged)
            {
                // The first windowBlocks blocks form the "window" group.
                int k = 0, first = 0;
                for (int b = 0; b < arranged.Count; b++)
                {
                    foreach (int i in arranged[b]) order[k++] = i;
                    if (b == windowBlocks - 1) first = k;
                }
                return TwoSampleTests.Mmd2Unbiased(gram, order, first);
            }
            var observed = Statistic([.. blocks.Skip(blocks.Count - windowBlocks), .. blocks.Take(blocks.Count - windowBlocks)]);
            var rng = new Random(seed);
            var shuffled = blocks.ToArray();
            int atLeast = 0;
            for (int p = 0; p < permutations; p++)
            {
                rng.Shuffle(shuffled);
                if (Statistic(shuffled) >= observed - 1e-12) atLeast++;
            }
            return (atLeast + 1.0) / (permutations + 1.0);
        }
    }
}
