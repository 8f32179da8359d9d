using FunctionsDrift.Core.Calibration;

namespace FunctionsDrift.Core.Tests;

public sealed class ConformalCalibratorTests
{
    private static float[] Sample(int n, int seed, Func<Random, double> draw)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => (float)draw(rng)).ToArray();
    }

    private static double Exponential(Random r) => -Math.Log(1 - r.NextDouble());
    private static double Gaussian(Random r) => Math.Sqrt(-2 * Math.Log(1 - r.NextDouble())) * Math.Cos(2 * Math.PI * r.NextDouble());

    [Fact]
    public void ConformalCalibrator_ExactInsideTheRange()
    {
        var cal = Sample(100, 1, Exponential);
        var c = new ConformalCalibrator(cal);
        int n = cal.Length;
        var probes = cal.Select(v => (double)v).Concat(cal.Select(v => v - 1e-4)).Concat(cal.Select(v => v + 1e-4))
            .Where(s => s <= cal.Max()).Append(-5.0);
        foreach (var s in probes)
        {
            double expected = (1.0 + cal.Count(v => v >= s)) / (n + 1.0);
            Assert.Equal(expected, c.PValue(s), 12);
        }
        Assert.Equal(1.0, c.PValue(cal.Min()), 12);
        Assert.Equal(2.0 / (n + 1), c.PValue(cal.Max()), 12);
    }

    [Fact]
    public void ConformalCalibrator_TailBelowOneOverNPlusOneAboveMax()
    {
        var cal = Sample(100, 2, Exponential);
        var c = new ConformalCalibrator(cal);
        double max = cal.Max();
        Assert.True(c.PValue(max + 1e-6) <= 1.0 / 101 + 1e-12);
        Assert.True(c.PValue(max + 5) < 1.0 / 101 / 10, $"p {c.PValue(max + 5)}");
        Assert.True(c.PValue(max + 50) > 0);
    }

    [Fact]
    public void ConformalCalibrator_MonotoneNonIncreasing()
    {
        var cal = Sample(60, 3, Gaussian);
        var c = new ConformalCalibrator(cal);
        double previous = double.MaxValue;
        for (double s = cal.Min() - 1; s < cal.Max() + 10; s += 0.001)
        {
            double p = c.PValue(s);
            Assert.True(p <= previous, $"p rises at {s}: {previous} → {p}");
            Assert.InRange(p, 0, 1);
            previous = p;
        }
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.2)]
    [InlineData(0.05)]
    [InlineData(0.011)]
    [InlineData(0.0099)] // just under 1/(n+1) for n = 100
    [InlineData(0.002)]
    [InlineData(1e-5)]
    public void ConformalCalibrator_ThresholdConsistentWithPValue(double level)
    {
        var cal = Sample(100, 4, Exponential);
        var c = new ConformalCalibrator(cal);
        double t = c.Threshold(level);
        Assert.True(c.PValue(t) <= level, $"p({t}) = {c.PValue(t)} > {level}");
        double below = t - 1e-7 * Math.Max(1, Math.Abs(t));
        Assert.True(c.PValue(below) > level, $"p just below threshold {t} is {c.PValue(below)} ≤ {level}");
        if (level < 1.0 / 101) Assert.True(t > cal.Max(), "levels under 1/(n+1) need scores above every calibration score");
    }

    [Fact]
    public void ConformalCalibrator_NullFalseAlarmRateAtFivePercent()
    {
        // 50 seeded calibration sets of 200 and 200 test scores each, all from one distribution.
        int alarms = 0, tests = 0;
        for (int rep = 0; rep < 50; rep++)
        {
            var c = new ConformalCalibrator(Sample(200, 1000 + rep, Gaussian));
            foreach (var s in Sample(200, 5000 + rep, Gaussian))
            {
                if (c.PValue(s) <= 0.05) alarms++;
                tests++;
            }
        }
        double rate = (double)alarms / tests;
        // Expected 10/201 ≈ 0.0498; sd ≈ 0.003 (calibration spread plus binomial).
        Assert.InRange(rate, 0.038, 0.062);
    }

    [Fact]
    public void ConformalCalibrator_NullFalseAlarmRateInTheTail()
    {
        // A level below 1/(n+1) is only reachable by extrapolation; on exponential data it should stay near its target.
        const double level = 0.001;
        int alarms = 0, tests = 0;
        for (int rep = 0; rep < 40; rep++)
        {
            var c = new ConformalCalibrator(Sample(200, 2000 + rep, Exponential));
            foreach (var s in Sample(1000, 7000 + rep, Exponential))
            {
                if (c.PValue(s) <= level) alarms++;
                tests++;
            }
        }
        double rate = (double)alarms / tests;
        Assert.True(rate <= 3 * level, $"false-alarm rate {rate} at level {level}");
        Assert.True(rate > 0, "the tail level is reachable");
    }

    [Fact]
    public void ConformalCalibrator_DegenerateScoresDoNotBreak()
    {
        var c = new ConformalCalibrator(Enumerable.Repeat(0.5f, 30).ToArray());
        Assert.Equal(1.0, c.PValue(0.5), 12);
        Assert.True(c.PValue(0.6) < 1.0 / 31);
        Assert.False(double.IsNaN(c.Threshold(0.001)));
        Assert.Throws<DriftException>(() => new ConformalCalibrator([1f]));
    }

    [Fact]
    public void ConformalCalibrator_TailScaleFloorKeepsAStableReferenceFromFlaggingEveryStep()
    {
        // Every held-out score at the effect-size floor (0): the data say nothing about the tail.
        var zeros = new float[320];
        var bare = new ConformalCalibrator(zeros);
        var floored = new ConformalCalibrator(zeros, minTailScale: 1);
        double level = 0.01 / 6;
        Assert.True(bare.Threshold(level) < 1e-6, "without a floor, anything past 0 is significant");
        Assert.True(bare.PValue(0.1) <= level);
        // With a scale of 1: (k / (n + 1)) · exp(−t) = level ⇒ t = ln(32 / (321 · level)) ≈ 4.09.
        Assert.Equal(Math.Log(32 / (321 * level)), floored.Threshold(level), 3);
        Assert.True(floored.PValue(0.1) > level);
        Assert.True(floored.PValue(5) <= level);
        // A tail wider than the floor is left alone.
        var wide = Enumerable.Range(0, 320).Select(i => (float)(3 * i / 320.0)).ToArray();
        Assert.Equal(new ConformalCalibrator(wide).TailScale, new ConformalCalibrator(wide, minTailScale: 0.01).TailScale);
    }
}
