using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace FunctionsDrift.Infra.Tests;

/// <summary>A value the template only knows at deployment time (reference(), resourceId(), ...).</summary>
internal sealed class UnknownValueException(string expression) : Exception($"not evaluable offline: {expression}");

/// <summary>
/// One (possibly nested) ARM template with its parameter values, able to evaluate the small
/// subset of template expressions needed to read names and settings: parameters(), variables(),
/// format(), concat(), toLower(), take(), empty(), not(), if(), string(), createArray(), json()
/// and property/index access. Anything else (reference(), resourceId(), guid(), ...) throws
/// <see cref="UnknownValueException"/>: tests then check the expression text instead.
/// </summary>
internal sealed class ArmTemplate
{
    private readonly JsonObject _template;
    private readonly Dictionary<string, Func<JsonNode?>> _parameters = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, JsonNode?> _variableCache = new(StringComparer.OrdinalIgnoreCase);

    public ArmTemplate(JsonObject template, IReadOnlyDictionary<string, Func<JsonNode?>> suppliedParameters, string deploymentName)
    {
        _template = template;
        DeploymentName = deploymentName;
        var declared = template["parameters"]?.AsObject() ?? [];
        foreach (var (name, declaration) in declared)
        {
            if (suppliedParameters.TryGetValue(name, out var supplied))
            {
                _parameters[name] = supplied;
            }
            else if (declaration?["defaultValue"] is { } defaultValue)
            {
                _parameters[name] = () => Evaluate(defaultValue);
            }
        }
    }

    public string DeploymentName { get; }

    public JsonObject Json => _template;

    public static ArmTemplate Load(string json, IReadOnlyDictionary<string, string> requiredParameters) =>
        new(
            JsonNode.Parse(json)!.AsObject(),
            requiredParameters.ToDictionary(p => p.Key, p => (Func<JsonNode?>)(() => JsonValue.Create(p.Value)), StringComparer.OrdinalIgnoreCase),
            "main");

    /// <summary>All resources of this template and of its nested deployments (modules).</summary>
    public IEnumerable<ArmResource> AllResources()
    {
        foreach (var resource in Resources())
        {
            yield return new ArmResource(resource, this);
            if (resource["type"]?.GetValue<string>() == "Microsoft.Resources/deployments")
            {
                foreach (var nested in Nested(resource).AllResources())
                {
                    yield return nested;
                }
            }
        }
    }

    /// <summary>The template of the module deployment with this (literal) name.</summary>
    public ArmTemplate Module(string name)
    {
        var deployment = Resources().Single(r =>
            r["type"]?.GetValue<string>() == "Microsoft.Resources/deployments" && r["name"]?.GetValue<string>() == name);
        return Nested(deployment);
    }

    public JsonNode? Parameter(string name) =>
        _parameters.TryGetValue(name, out var value)
            ? value()
            : throw new UnknownValueException($"parameters('{name}') has no value");

    public JsonNode? Variable(string name)
    {
        if (_variableCache.TryGetValue(name, out var cached))
        {
            return cached?.DeepClone();
        }

        var declaration = _template["variables"]?[name] ?? throw new UnknownValueException($"variables('{name}')");
        var value = Evaluate(declaration);
        _variableCache[name] = value?.DeepClone();
        return value;
    }

    /// <summary>Evaluates a JSON value: strings in [brackets] are expressions; objects and arrays recursively.</summary>
    public JsonNode? Evaluate(JsonNode? node) => node switch
    {
        JsonValue v when v.TryGetValue<string>(out var s) => EvaluateString(s),
        JsonObject o => new JsonObject(o.Select(p => KeyValuePair.Create(p.Key, EvaluateMember(p.Value)))),
        JsonArray a => new JsonArray(a.Select(EvaluateMember).ToArray()),
        null => null,
        _ => node.DeepClone(),
    };

    public string EvaluateToString(JsonNode? node) => AsString(Evaluate(node));

    /// <summary>Inside objects and arrays an unknown member becomes the text "&lt;unknown&gt; [expression]"
    /// so that the known members can still be checked.</summary>
    private JsonNode? EvaluateMember(JsonNode? node)
    {
        try
        {
            return Evaluate(node);
        }
        catch (UnknownValueException)
        {
            return JsonValue.Create("<unknown> " + node?.ToJsonString());
        }
    }

    private JsonNode? EvaluateString(string s)
    {
        if (s.StartsWith("[[", StringComparison.Ordinal))
        {
            return JsonValue.Create(s[1..]);
        }

        if (s.Length >= 2 && s[0] == '[' && s[^1] == ']')
        {
            var parser = new ExpressionParser(s[1..^1], this);
            return parser.ParseAll();
        }

        return JsonValue.Create(s);
    }

    private IEnumerable<JsonObject> Resources() => _template["resources"] switch
    {
        JsonArray array => array.Select(r => r!.AsObject()),
        JsonObject symbolic => symbolic.Select(p => p.Value!.AsObject()),
        _ => [],
    };

    private ArmTemplate Nested(JsonObject deployment)
    {
        var properties = deployment["properties"]!.AsObject();
        var supplied = new Dictionary<string, Func<JsonNode?>>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in properties["parameters"]?.AsObject() ?? [])
        {
            // Usually {"value": ...}; Bicep may also emit one expression yielding that object.
            supplied[name] = value is JsonObject wrapper
                ? () => Evaluate(wrapper["value"])
                : () => Evaluate(value)?["value"]?.DeepClone();
        }

        var deploymentName = deployment["name"]?.GetValue<string>() ?? "?";
        return new ArmTemplate(properties["template"]!.AsObject(), supplied, deploymentName);
    }

    internal static string AsString(JsonNode? node) => node switch
    {
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonValue v when v.TryGetValue<bool>(out var b) => b ? "True" : "False",
        JsonValue v => v.ToJsonString(),
        null => "",
        _ => node.ToJsonString(),
    };

    private static bool IsEmpty(JsonNode? node) => node switch
    {
        null => true,
        JsonValue v when v.TryGetValue<string>(out var s) => s.Length == 0,
        JsonArray a => a.Count == 0,
        JsonObject o => o.Count == 0,
        _ => false,
    };

    private sealed class ExpressionParser(string text, ArmTemplate scope)
    {
        private int _pos;

        public JsonNode? ParseAll()
        {
            var value = ParseExpression();
            SkipSpace();
            return _pos == text.Length ? value : throw new FormatException($"trailing text in [{text}] at {_pos}");
        }

        private JsonNode? ParseExpression()
        {
            var value = ParsePrimary();
            while (true)
            {
                SkipSpace();
                if (Peek('.'))
                {
                    _pos++;
                    var property = ParseIdentifier();
                    value = value is JsonObject o && o.TryGetPropertyValue(property, out var p)
                        ? p?.DeepClone()
                        : throw new UnknownValueException($"property .{property} in [{text}]");
                }
                else if (Peek('['))
                {
                    _pos++;
                    var index = ParseExpression();
                    Expect(']');
                    value = (value, index) switch
                    {
                        (JsonArray a, JsonValue i) when i.TryGetValue<int>(out var n) => a[n]?.DeepClone(),
                        (JsonObject o, JsonValue k) when k.TryGetValue<string>(out var key) => o[key]?.DeepClone(),
                        _ => throw new UnknownValueException($"index in [{text}]"),
                    };
                }
                else
                {
                    return value;
                }
            }
        }

        private JsonNode? ParsePrimary()
        {
            SkipSpace();
            if (Peek('\''))
            {
                return JsonValue.Create(ParseStringLiteral());
            }

            if (_pos < text.Length && (char.IsDigit(text[_pos]) || text[_pos] == '-'))
            {
                var start = _pos++;
                while (_pos < text.Length && char.IsDigit(text[_pos]))
                {
                    _pos++;
                }

                return JsonValue.Create(long.Parse(text[start.._pos], CultureInfo.InvariantCulture));
            }

            var name = ParseIdentifier();
            SkipSpace();
            Expect('(');
            var args = new List<Func<JsonNode?>>();
            SkipSpace();
            if (!Peek(')'))
            {
                do
                {
                    var argStart = _pos;
                    SkipArgument();
                    var argText = text[argStart.._pos];
                    args.Add(() => new ExpressionParser(argText, scope).ParseAll());
                    SkipSpace();
                }
                while (TryConsume(','));
            }

            Expect(')');
            return Call(name, args);
        }

        // Arguments are evaluated lazily so that if() and unknown branches behave like ARM.
        private JsonNode? Call(string name, List<Func<JsonNode?>> args)
        {
            string Arg(int i) => AsString(args[i]());
            switch (name.ToLowerInvariant())
            {
                case "parameters": return scope.Parameter(Arg(0));
                case "variables": return scope.Variable(Arg(0));
                case "format":
                    return JsonValue.Create(string.Format(
                        CultureInfo.InvariantCulture, Arg(0), args.Skip(1).Select(a => (object)AsString(a())).ToArray()));
                case "concat":
                    var values = args.Select(a => a()).ToList();
                    return values.All(v => v is JsonArray)
                        ? new JsonArray(values.SelectMany(v => v!.AsArray().Select(e => e?.DeepClone())).ToArray())
                        : JsonValue.Create(string.Concat(values.Select(AsString)));
                case "tolower": return JsonValue.Create(Arg(0).ToLowerInvariant());
                case "toupper": return JsonValue.Create(Arg(0).ToUpperInvariant());
                case "take":
                    var count = (int)args[1]()!.GetValue<long>();
                    return JsonValue.Create(new string(Arg(0).Take(count).ToArray()));
                case "empty": return JsonValue.Create(IsEmpty(args[0]()));
                case "not": return JsonValue.Create(!args[0]()!.GetValue<bool>());
                case "if": return args[0]()!.GetValue<bool>() ? args[1]() : args[2]();
                case "string": return JsonValue.Create(AsString(args[0]()));
                case "createarray": return new JsonArray(args.Select(a => a()).ToArray());
                case "createobject":
                    var obj = new JsonObject();
                    for (var i = 0; i + 1 < args.Count; i += 2)
                    {
                        obj[Arg(i)] = args[i + 1]();
                    }

                    return obj;
                case "json": return JsonNode.Parse(Arg(0));
                case "true": return JsonValue.Create(true);
                case "false": return JsonValue.Create(false);
                default: throw new UnknownValueException($"{name}(...) in [{text}]");
            }
        }

        private void SkipArgument()
        {
            var depth = 0;
            while (_pos < text.Length)
            {
                var c = text[_pos];
                if (c == '\'')
                {
                    ParseStringLiteral();
                    continue;
                }

                if (c is '(' or '[')
                {
                    depth++;
                }
                else if (c is ')' or ']')
                {
                    if (depth == 0)
                    {
                        return;
                    }

                    depth--;
                }
                else if (c == ',' && depth == 0)
                {
                    return;
                }

                _pos++;
            }
        }

        private string ParseStringLiteral()
        {
            Expect('\'');
            var sb = new StringBuilder();
            while (true)
            {
                if (_pos >= text.Length)
                {
                    throw new FormatException($"unterminated string in [{text}]");
                }

                var c = text[_pos++];
                if (c == '\'')
                {
                    if (Peek('\''))
                    {
                        sb.Append('\'');
                        _pos++;
                        continue;
                    }

                    return sb.ToString();
                }

                sb.Append(c);
            }
        }

        private string ParseIdentifier()
        {
            SkipSpace();
            var start = _pos;
            while (_pos < text.Length && (char.IsLetterOrDigit(text[_pos]) || text[_pos] == '_'))
            {
                _pos++;
            }

            return _pos > start ? text[start.._pos] : throw new FormatException($"identifier expected in [{text}] at {_pos}");
        }

        private void SkipSpace()
        {
            while (_pos < text.Length && char.IsWhiteSpace(text[_pos]))
            {
                _pos++;
            }
        }

        private bool Peek(char c) => _pos < text.Length && text[_pos] == c;

        private bool TryConsume(char c)
        {
            SkipSpace();
            if (!Peek(c))
            {
                return false;
            }

            _pos++;
            return true;
        }

        private void Expect(char c)
        {
            if (!TryConsume(c))
            {
                throw new FormatException($"'{c}' expected in [{text}] at {_pos}");
            }
        }
    }
}

/// <summary>A resource with the template it belongs to (for evaluating its properties).</summary>
internal sealed record ArmResource(JsonObject Json, ArmTemplate Template)
{
    public string Type => Json["type"]!.GetValue<string>();

    public JsonNode? Properties => Json["properties"];

    public override string ToString() => $"{Type} in {Template.DeploymentName}";
}
