namespace FunctionsDrift.Infra.Tests;

/// <summary>Every .bicep file builds and lints with no diagnostics at all (warnings count as failures).</summary>
public sealed class BicepLintTests
{
    public static TheoryData<string> BicepFiles()
    {
        var data = new TheoryData<string>();
        foreach (var file in BicepCli.AllBicepFiles())
        {
            data.Add(Path.GetRelativePath(BicepCli.RepoRoot, file));
        }

        return data;
    }

    [Fact]
    public void BicepFiles_IncludeMainAndModules()
    {
        var files = BicepCli.AllBicepFiles().Select(f => Path.GetRelativePath(BicepCli.RepoRoot, f)).ToList();
        Assert.Contains(Path.Combine("infra", "main.bicep"), files);
        foreach (var module in new[] { "storage", "function", "rbac", "eventgrid", "monitoring" })
        {
            Assert.Contains(Path.Combine("infra", "app", module + ".bicep"), files);
        }
    }

    [Theory]
    [MemberData(nameof(BicepFiles))]
    public void BicepLint_NoWarningsOrErrors(string relativePath)
    {
        var result = BicepCli.Run("lint", relativePath);

        Assert.True(result.ExitCode == 0, $"bicep lint {relativePath}: {result.Describe()}");
        Assert.True(
            string.IsNullOrWhiteSpace(result.StdOut) && string.IsNullOrWhiteSpace(result.StdErr),
            $"bicep lint {relativePath} printed diagnostics: {result.Describe()}");
    }

    [Theory]
    [MemberData(nameof(BicepFiles))]
    public void BicepBuild_CompilesWithoutDiagnostics(string relativePath)
    {
        var result = BicepCli.Run("build", relativePath, "--stdout");

        Assert.True(result.ExitCode == 0, $"bicep build {relativePath}: {result.Describe()}");
        Assert.True(string.IsNullOrWhiteSpace(result.StdErr), $"bicep build {relativePath} printed diagnostics: {result.Describe()}");
        Assert.StartsWith("{", result.StdOut.TrimStart(), StringComparison.Ordinal);
    }

    [Fact]
    public void BicepConfig_RaisesLinterRulesToError()
    {
        var config = File.ReadAllText(Path.Combine(BicepCli.InfraDir, "bicepconfig.json"));
        Assert.DoesNotContain("\"warning\"", config, StringComparison.Ordinal);
        Assert.Contains("\"no-unused-params\": { \"level\": \"error\" }", config, StringComparison.Ordinal);
    }

    [Fact]
    public void Bicep_UsesLocalModulesOnly()
    {
        foreach (var file in BicepCli.AllBicepFiles())
        {
            var text = File.ReadAllText(file);
            Assert.DoesNotContain("'br:", text, StringComparison.Ordinal);
            Assert.DoesNotContain("'br/", text, StringComparison.Ordinal);
            Assert.DoesNotContain("'ts:", text, StringComparison.Ordinal);
        }
    }
}
