using System.Text.Json;
using System.Text.Json.Serialization;

namespace FunctionsDrift.Core.Scoring;

/// <summary>
/// Detector results as one JSON object keyed by detector name, each <c>{score, threshold, p, flag, detail}</c>: the same
/// shape in JSON lines and over HTTP, whatever naming policy the serializer applies to the row around it.
/// </summary>
public sealed class DetectorResultsJsonConverter : JsonConverter<IReadOnlyList<DetectorResult>>
{
    public override IReadOnlyList<DetectorResult> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var list = new List<DetectorResult>();
        if (reader.TokenType == JsonTokenType.Null) return list;
        using var doc = JsonDocument.ParseValue(ref reader);
        foreach (var d in doc.RootElement.EnumerateObject())
        {
            var v = d.Value;
            list.Add(new DetectorResult(d.Name, v.GetProperty("score").GetDouble(), v.GetProperty("threshold").GetDouble(),
                v.GetProperty("p").GetDouble(), v.GetProperty("flag").GetBoolean(),
                v.TryGetProperty("detail", out var detail) ? detail.GetString() ?? "" : ""));
        }
        return list;
    }

    public override void Write(Utf8JsonWriter writer, IReadOnlyList<DetectorResult> value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        foreach (var d in value)
        {
            writer.WriteStartObject(d.Detector);
            writer.WriteNumber("score", d.Score);
            writer.WriteNumber("threshold", d.Threshold);
            writer.WriteNumber("p", d.PValue);
            writer.WriteBoolean("flag", d.Flag);
            writer.WriteString("detail", d.Detail);
            writer.WriteEndObject();
        }
        writer.WriteEndObject();
    }
}
