using System.Net;
using System.Text;

namespace FunctionsDrift.Cli.Reporting;

/// <summary>The start of the CLI's self-contained HTML pages (<c>drift report</c>, <c>drift gallery</c>): one inline stylesheet, nothing loaded.</summary>
internal static class HtmlPage
{
    /// <summary>Appends the doctype, the head with <paramref name="title"/> (HTML-encoded here) and <paramref name="css"/>, and the opening body tag.</summary>
    /// <param name="viewport">Add the viewport meta tag, for a page laid out to fit narrow screens.</param>
    public static StringBuilder AppendHead(StringBuilder sb, string title, string css, bool viewport)
    {
        sb.Append("""
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">

            """);
        if (viewport) sb.Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        return sb.Append($$"""
            <title>{{WebUtility.HtmlEncode(title)}}</title>
            <style>
            {{css}}
            </style>
            </head>
            <body>

            """);
    }
}
