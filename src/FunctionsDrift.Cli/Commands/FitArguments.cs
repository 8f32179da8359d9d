using System.CommandLine;
using FunctionsDrift.Core.Detectors;

namespace FunctionsDrift.Cli.Commands;

/// <summary>The fit settings that <c>drift fit</c> and <c>drift eval</c> share, declared once.</summary>
internal sealed class FitArguments
{
    private readonly Option<double> _far = new("--false-alarm-rate") { Description = "Target false-alarm rate of the fused verdict.", DefaultValueFactory = _ => 0.01 };
    private readonly Option<double> _variance = new("--pca-variance") { Description = "Fraction of embedding variance kept by PCA.", DefaultValueFactory = _ => 0.95 };
    private readonly Option<int> _block = new("--block-size") { Description = "Contiguous reference images held out together in calibration (0 = n/5).", DefaultValueFactory = _ => 0 };
    private readonly Option<CalibrationMode> _calibration = new("--calibration")
    {
        Description = "ForwardChaining: each block scored by detectors fitted on earlier images only (default, production order). ContiguousFolds: fitted on all other blocks.",
        DefaultValueFactory = _ => CalibrationMode.ForwardChaining,
    };
    private readonly Option<string[]> _detectors = new("--detectors")
    {
        Description = $"Detectors to fit (default: every one the features support): {string.Join(", ", DetectorKinds.All.Select(k => k.Name))}.",
        AllowMultipleArgumentsPerToken = true,
    };
    private readonly Option<bool> _noFloors = new("--no-floors") { Description = "Turn off the effect-size floors of the colour, quality and view detectors." };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { _far, _variance, _block, _calibration, _detectors, _noFloors })
        {
            command.Options.Add(option);
        }
    }

    public double FalseAlarmRate(ParseResult pr) => pr.GetValue(_far);

    public FitOptions Read(ParseResult pr)
    {
        var detectors = (pr.GetValue(_detectors) ?? []).SelectMany(d => d.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToArray();
        foreach (var d in detectors)
        {
            DetectorKinds.Get(d);
        }
        var defaults = new FitOptions();
        bool noFloors = pr.GetValue(_noFloors);
        return defaults with
        {
            FalseAlarmRate = pr.GetValue(_far),
            PcaVariance = pr.GetValue(_variance),
            BlockSize = pr.GetValue(_block),
            Calibration = pr.GetValue(_calibration),
            Detectors = detectors,
            QualityFloorScale = noFloors ? 0 : defaults.QualityFloorScale,
            HsvFloor = noFloors ? 0 : defaults.HsvFloor,
            ViewFloor = noFloors ? 0 : defaults.ViewFloor,
        };
    }
}
