namespace FunctionsDrift.Core.Pipeline;

/// <summary>Lists the images of a folder in file-name (ordinal) order — the time order of a camera's numbered frames.</summary>
public static class ImageFolder
{
    public static readonly string[] Extensions = [".jpg", ".jpeg", ".png", ".webp", ".bmp", ".gif"];

    public static bool IsImage(string path) => Extensions.Contains(Path.GetExtension(path).ToLowerInvariant());

    public static IReadOnlyList<string> List(string directory)
    {
        if (!Directory.Exists(directory))
        {
            throw new DriftException($"folder not found: {directory}");
        }
        return Directory.EnumerateFiles(directory)
            .Where(IsImage)
            .OrderBy(p => Path.GetFileName(p), StringComparer.Ordinal)
            .ToList();
    }
}
