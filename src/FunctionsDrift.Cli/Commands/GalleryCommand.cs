using System.CommandLine;
using System.Net;
using System.Text;
using FunctionsDrift.Cli.Reporting;
using FunctionsDrift.Core.Augmentation;
using FunctionsDrift.Core.Images;

namespace FunctionsDrift.Cli.Commands;

/// <summary>
/// <c>drift gallery</c>: every drift of one image as a captioned PNG grid (<c>gallery.png</c>) and an offline
/// <c>index.html</c> that shows the full-size JPEGs written next to it.
/// </summary>
internal static class GalleryCommand
{
    private sealed record Settings(string Image, string Out, int Seed, string? Objects, int ThumbWidth, int Columns, string? Font);

    public static Command Create(CliContext ctx)
    {
        var imageOption = new Option<string>("--image") { Description = "The image to transform.", Required = true };
        var outOption = new Option<string>("--out") { Description = "Folder for gallery.png, index.html and the tiles (created if missing).", Required = true };
        var seedOption = new Option<int>("--seed") { Description = "Seed for every parameter.", DefaultValueFactory = _ => AugmentSupport.DefaultSeed };
        var objectsOption = new Option<string?>("--objects") { Description = "Folder of object images for object-paste (default: synthetic shapes)." };
        var thumbOption = new Option<int>("--thumb-width") { Description = "Width of each thumbnail in gallery.png.", DefaultValueFactory = _ => 320 };
        var columnsOption = new Option<int>("--columns") { Description = "Thumbnails per row in gallery.png.", DefaultValueFactory = _ => 4 };
        var fontOption = new Option<string?>("--font")
        {
            Description = "TrueType font for the captions in gallery.png (no captions when missing).",
            DefaultValueFactory = _ => DriftGallery.DefaultFontPath,
        };

        var command = new Command("gallery", "Render every drift of one image into gallery.png and index.html, captioned with the parameters used.");
        foreach (var option in new Option[] { imageOption, outOption, seedOption, objectsOption, thumbOption, columnsOption, fontOption })
        {
            command.Options.Add(option);
        }
        command.SetAction((ParseResult pr, CancellationToken ct) => ctx.Guard(token =>
        {
            var settings = new Settings(
                pr.GetValue(imageOption)!,
                pr.GetValue(outOption)!,
                pr.GetValue(seedOption),
                pr.GetValue(objectsOption),
                pr.GetValue(thumbOption),
                pr.GetValue(columnsOption),
                pr.GetValue(fontOption));
            return RunAsync(ctx, settings, token);
        }, ct));
        return command;
    }

    private static async Task<int> RunAsync(CliContext ctx, Settings s, CancellationToken ct)
    {
        if (s.ThumbWidth is < 32 or > 4096)
        {
            throw new CliException("--thumb-width must be between 32 and 4096", ExitCode.Usage);
        }
        if (s.Columns is < 1 or > 32)
        {
            throw new CliException("--columns must be between 1 and 32", ExitCode.Usage);
        }
        if (!File.Exists(s.Image))
        {
            throw new CliException($"image not found: {s.Image}", ExitCode.Usage);
        }
        Directory.CreateDirectory(s.Out);
        using var source = ImageLoader.LoadFile(s.Image);
        using var generator = AugmentSupport.CreateGenerator(s.Objects, ctx);

        var tiles = await Task.Run(() => DriftGallery.Render(source, generator, s.Seed, ct), ct);
        try
        {
            var files = new List<string>();
            for (int i = 0; i < tiles.Count; i++)
            {
                var name = $"{i:00}-{Slug(tiles[i].Title)}.jpg";
                AugmentSupport.WriteJpeg(tiles[i].Image, Path.Combine(s.Out, name));
                files.Add(name);
            }

            using var typeface = DriftGallery.TryLoadTypeface(s.Font);
            if (typeface is null)
            {
                ctx.Error.WriteLine($"warning: font not found ({s.Font}); gallery.png has no captions");
            }
            using (var grid = DriftGallery.Compose(tiles, s.ThumbWidth, s.Columns, typeface))
            using (var png = DriftGallery.EncodePng(grid))
            using (var stream = File.Create(Path.Combine(s.Out, "gallery.png")))
            {
                png.SaveTo(stream);
            }

            var html = BuildHtml(Path.GetFileName(s.Image), s.Seed, tiles, files, s.ThumbWidth);
            await File.WriteAllTextAsync(Path.Combine(s.Out, "index.html"), html, new UTF8Encoding(false), ct);

            foreach (var (tile, file) in tiles.Zip(files))
            {
                ctx.Out.WriteLine($"{file}: {tile.Title} {tile.Parameters}".TrimEnd());
            }
            ctx.Out.WriteLine($"wrote gallery.png, index.html and {files.Count} images to {s.Out}");
            return (int)ExitCode.Ok;
        }
        finally
        {
            tiles.ForEach(t => t.Dispose());
        }
    }

    private static string Slug(string title) =>
        string.Concat(title.Select(c => char.IsAsciiLetterOrDigit(c) || c == '-' ? c : '-')).Trim('-').Replace("--", "-");

    private static string BuildHtml(string imageName, int seed, IReadOnlyList<GalleryTile> tiles, IReadOnlyList<string> files, int thumbWidth)
    {
        static string E(string s) => WebUtility.HtmlEncode(s);
        string css = $$"""
              body { font-family: system-ui, sans-serif; background: #1b1d21; color: #e8eaed; margin: 24px; }
              h1 { font-size: 20px; font-weight: 600; }
              .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax({{thumbWidth}}px, 1fr)); gap: 16px; }
              figure { margin: 0; }
              img { width: 100%; height: auto; display: block; border-radius: 4px; }
              figcaption { margin-top: 6px; font-size: 13px; }
              figcaption b { display: block; font-size: 15px; }
              code { color: #b8bec8; word-break: break-word; }
            """;
        var sb = HtmlPage.AppendHead(new StringBuilder(), $"drift gallery — {imageName}", css, viewport: false);
        sb.Append($$"""
            <h1>drift gallery — {{E(imageName)}} (seed {{seed}})</h1>
            <p>Gallery grid: <a href="gallery.png">gallery.png</a>. Click a picture for full size.</p>
            <div class="grid">

            """);
        for (int i = 0; i < tiles.Count; i++)
        {
            var kind = tiles[i].Kind is { } k ? k.Name : "none";
            sb.Append($"""
                <figure data-kind="{E(kind)}"><a href="{E(files[i])}"><img src="{E(files[i])}" alt="{E(tiles[i].Title)}" loading="lazy"></a>
                <figcaption><b>{E(tiles[i].Title)}</b><code>{E(tiles[i].Parameters)}</code></figcaption></figure>

                """);
        }
        sb.Append("</div>\n</body>\n</html>\n");
        return sb.ToString();
    }
}
