namespace FunctionsDrift.Infra.Tests;

/// <summary>infra/main.bicep compiled once to ARM JSON, with test values for its required parameters.</summary>
public sealed class CompiledTemplateFixture
{
    public CompiledTemplateFixture()
    {
        var result = BicepCli.Run("build", BicepCli.MainBicep, "--stdout");
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"bicep build failed: {result.Describe()}");
        }

        Json = result.StdOut;
        Main = ArmTemplate.Load(Json, new Dictionary<string, string>
        {
            ["environmentName"] = "drifttest",
            ["location"] = "westeurope",
        });
    }

    public string Json { get; }

    internal ArmTemplate Main { get; }
}
