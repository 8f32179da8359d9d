namespace FunctionsDrift.Core.Augmentation;

/// <summary>Stable per-item seeds (unlike <see cref="HashCode"/>, identical across processes and runs).</summary>
public static class SeedMixer
{
    /// <summary>A SplitMix64 mix of <paramref name="seed"/> and <paramref name="index"/>, folded to a non-negative int.</summary>
    public static int Mix(int seed, int index)
    {
        unchecked
        {
            ulong z = ((ulong)(uint)seed << 32) ^ (uint)index;
            z += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            z ^= z >> 31;
            return (int)(z & 0x7FFF_FFFF);
        }
    }

    /// <summary>A <see cref="Random"/> for item <paramref name="index"/> of a run seeded with <paramref name="seed"/>.</summary>
    public static Random For(int seed, int index) => new(Mix(seed, index));
}
