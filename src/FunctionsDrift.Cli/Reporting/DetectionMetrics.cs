namespace FunctionsDrift.Cli.Reporting;

/// <summary>
/// Confusion counts of one detector (or detector group, or the fused verdict) against labels, with recall per drift kind.
/// </summary>
internal sealed record DetectionMetrics(string Name, int Tp, int Fp, int Fn, int Tn, Dictionary<string, (int Hit, int Total)> PerKind)
{
    public double Precision => Tp + Fp == 0 ? 1 : (double)Tp / (Tp + Fp);
    public double Recall => Tp + Fn == 0 ? 1 : (double)Tp / (Tp + Fn);
    public double FalseAlarmRate => Fp + Tn == 0 ? 0 : (double)Fp / (Fp + Tn);

    /// <summary>Counts each (flag, label) pair: a label of 1 is drifted (a hit when flagged), anything else clean.</summary>
    public static DetectionMetrics Count(string name, IEnumerable<(bool Flag, ImageLabel Label)> verdicts)
    {
        int tp = 0, fp = 0, fn = 0, tn = 0;
        var perKind = new Dictionary<string, (int Hit, int Total)>(StringComparer.Ordinal);
        foreach (var (flag, label) in verdicts)
        {
            if (label.Value == 1)
            {
                if (flag) tp++; else fn++;
                var (h, t) = perKind.GetValueOrDefault(label.Kind);
                perKind[label.Kind] = (h + (flag ? 1 : 0), t + 1);
            }
            else if (flag) fp++;
            else tn++;
        }
        return new DetectionMetrics(name, tp, fp, fn, tn, perKind);
    }
}
