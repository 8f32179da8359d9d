namespace FunctionsDrift.Cli.Reporting;

/// <summary>The report's stylesheet, inlined into its <c>&lt;style&gt;</c> element so the page loads nothing.</summary>
internal static class ReportStyle
{
    /// <summary>The CSS, with thumbnails laid out in columns of at least <paramref name="thumbWidth"/> px.</summary>
    public static string Css(int thumbWidth) => $$"""
          body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; color: #1f2328; background: #f6f8fa; margin: 0; }
          main { max-width: 1220px; margin: 0 auto; padding: 20px 24px 40px; }
          h1 { font-size: 24px; margin: 4px 0 6px; } h2 { font-size: 18px; margin: 28px 0 10px; border-bottom: 1px solid #d0d7de; padding-bottom: 4px; }
          .sub { color: #59636e; margin: 0 0 14px; }
          .cards { display: flex; gap: 12px; flex-wrap: wrap; }
          .card { background: #fff; border: 1px solid #d0d7de; border-radius: 6px; padding: 10px 14px; min-width: 150px; }
          .card b { display: block; font-size: 22px; } .card span { color: #59636e; font-size: 13px; }
          .plots { display: grid; grid-template-columns: repeat(auto-fill, minmax(580px, 1fr)); gap: 12px; }
          .plots svg, .wide svg { background: #fff; border: 1px solid #d0d7de; border-radius: 6px; max-width: 100%; height: auto; }
          svg text { font-family: system-ui, sans-serif; } .pt { font-size: 14px; font-weight: 600; } .tick { font-size: 11px; fill: #59636e; }
          .axis { font-size: 12px; fill: #1f2328; } .legend { font-size: 12px; } .thr { font-size: 12px; fill: #c0392b; font-weight: 600; }
          .grid { stroke: #eaeef2; } .frame { stroke: #8c959f; }
          table { border-collapse: collapse; background: #fff; font-size: 14px; }
          th, td { border: 1px solid #d0d7de; padding: 5px 10px; } th { background: #f0f3f6; text-align: left; }
          td.n { text-align: right; font-variant-numeric: tabular-nums; } tr.fused td { font-weight: 600; }
          .thumbs { display: grid; grid-template-columns: repeat(auto-fill, minmax({{thumbWidth}}px, 1fr)); gap: 12px; }
          figure { margin: 0; background: #fff; border: 1px solid #d0d7de; border-radius: 6px; padding: 8px; font-size: 12px; }
          figure img { width: 100%; height: auto; display: block; border-radius: 3px; }
          .noimg { height: 120px; display: flex; align-items: center; justify-content: center; background: #eaeef2; color: #59636e; border-radius: 3px; }
          figcaption { margin-top: 6px; word-break: break-all; } figcaption b { font-size: 13px; } .reasons { color: #9a3412; }
          .note { color: #59636e; font-size: 13px; max-width: 900px; }
        """;
}
