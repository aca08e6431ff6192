using Mono.Cecil;
using Mono.Cecil.Cil;

namespace Crm.Tests.Architecture;

/// <summary>
/// The dependencies between the stage folders of <c>Crm.Pipeline</c>, read from the compiled assembly: every type a
/// type names in its base type, interfaces, fields, properties, events, method signatures, attributes, locals and
/// IL operands (so a lambda's closure or an async state machine counts for the type that wrote it). A stage is the
/// namespace segment after <c>Crm.Pipeline</c> (<c>Crm.Pipeline.Sources.Email</c> is <c>Sources</c>); the root
/// namespace, which only registers services, is no stage.
/// </summary>
internal sealed class StageGraph
{
    private const string Root = "Crm.Pipeline";

    private StageGraph(SortedDictionary<string, SortedDictionary<string, SortedSet<string>>> edges)
    {
        Edges = edges;
    }

    /// <summary>From stage → to stage → the referencing type names ("From.Type → To.Type"), a few kept per edge.</summary>
    public SortedDictionary<string, SortedDictionary<string, SortedSet<string>>> Edges { get; }

    /// <summary>Every stage that has a type.</summary>
    public SortedSet<string> Stages { get; } = new(StringComparer.Ordinal);

    public static StageGraph Read(string assemblyPath)
    {
        using var module = ModuleDefinition.ReadModule(assemblyPath, new ReaderParameters { ReadSymbols = false });
        var edges = new SortedDictionary<string, SortedDictionary<string, SortedSet<string>>>(StringComparer.Ordinal);
        var graph = new StageGraph(edges);
        foreach (var type in module.GetTypes())
        {
            var from = StageOf(TopLevel(type));
            if (from is null)
            {
                continue;
            }

            graph.Stages.Add(from);
            var seen = new HashSet<TypeDefinition>();
            foreach (var referenced in References(type))
            {
                var target = Own(referenced, module);
                foreach (var definition in target)
                {
                    var top = TopLevel(definition);
                    var to = StageOf(top);
                    if (to is null || to == from || !seen.Add(top))
                    {
                        continue;
                    }

                    if (!edges.TryGetValue(from, out var row))
                    {
                        edges[from] = row = new SortedDictionary<string, SortedSet<string>>(StringComparer.Ordinal);
                    }

                    if (!row.TryGetValue(to, out var why))
                    {
                        row[to] = why = new SortedSet<string>(StringComparer.Ordinal);
                    }

                    why.Add(TopLevel(type).Name + " → " + top.Name);
                }
            }
        }

        return graph;
    }

    /// <summary>The stage of a namespace, or null outside the stage folders.</summary>
    public static string? StageOf(TypeDefinition type)
    {
        var ns = type.Namespace;
        if (!ns.StartsWith(Root + ".", StringComparison.Ordinal))
        {
            return null;
        }

        var rest = ns[(Root.Length + 1)..];
        var dot = rest.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? rest : rest[..dot];
    }

    /// <summary>True when a stage's types name another stage's types.</summary>
    public bool DependsOn(string from, string to) => Edges.TryGetValue(from, out var row) && row.ContainsKey(to);

    /// <summary>The groups of stages that reach each other (Tarjan's strongly connected components of two or more).</summary>
    public List<List<string>> Cycles(IReadOnlySet<string>? ignored = null)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var low = new Dictionary<string, int>(StringComparer.Ordinal);
        var onStack = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var result = new List<List<string>>();
        var next = 0;

        void Visit(string v)
        {
            index[v] = low[v] = next++;
            stack.Push(v);
            onStack.Add(v);
            if (Edges.TryGetValue(v, out var row))
            {
                foreach (var w in row.Keys)
                {
                    if (ignored is not null && ignored.Contains(v + " → " + w))
                    {
                        continue;
                    }

                    if (!index.ContainsKey(w))
                    {
                        Visit(w);
                        low[v] = Math.Min(low[v], low[w]);
                    }
                    else if (onStack.Contains(w))
                    {
                        low[v] = Math.Min(low[v], index[w]);
                    }
                }
            }

            if (low[v] == index[v])
            {
                var component = new List<string>();
                string w;
                do
                {
                    w = stack.Pop();
                    onStack.Remove(w);
                    component.Add(w);
                }
                while (w != v);
                if (component.Count > 1)
                {
                    component.Sort(StringComparer.Ordinal);
                    result.Add(component);
                }
            }
        }

        foreach (var v in Stages.Concat(Edges.Keys).Distinct().Order(StringComparer.Ordinal))
        {
            if (!index.ContainsKey(v))
            {
                Visit(v);
            }
        }

        return result;
    }

    /// <summary>The matrix as Markdown: a row per stage, an X where the row's types name the column's.</summary>
    public string Matrix()
    {
        var names = Stages.ToList();
        var text = new System.Text.StringBuilder();
        text.Append("| uses → |").AppendJoin("", names.Select(n => " " + Abbrev(n) + " |")).AppendLine();
        text.Append("|---|").AppendJoin("", names.Select(_ => ":-:|")).AppendLine();
        foreach (var from in names)
        {
            text.Append("| ").Append(from).Append(" |");
            foreach (var to in names)
            {
                text.Append(from == to ? " · |" : DependsOn(from, to) ? " X |" : "   |");
            }

            text.AppendLine();
        }

        return text.ToString();
    }

    private static string Abbrev(string name) => name.Length <= 5 ? name : name[..5];

    private static TypeDefinition TopLevel(TypeDefinition type)
    {
        while (type.DeclaringType is not null)
        {
            type = type.DeclaringType;
        }

        return type;
    }

    /// <summary>The definitions in <paramref name="module"/> that a reference names, its generic arguments included.</summary>
    private static IEnumerable<TypeDefinition> Own(TypeReference? reference, ModuleDefinition module)
    {
        switch (reference)
        {
            case null:
            case GenericParameter:
                yield break;
            case GenericInstanceType generic:
                foreach (var d in Own(generic.ElementType, module))
                {
                    yield return d;
                }

                foreach (var argument in generic.GenericArguments)
                {
                    foreach (var d in Own(argument, module))
                    {
                        yield return d;
                    }
                }

                yield break;
            case TypeSpecification specification:
                foreach (var d in Own(specification.ElementType, module))
                {
                    yield return d;
                }

                yield break;
            case TypeDefinition definition when definition.Module == module:
                yield return definition;
                yield break;
        }
    }

    private static IEnumerable<TypeReference?> References(TypeDefinition type)
    {
        yield return type.BaseType;
        foreach (var i in type.Interfaces)
        {
            yield return i.InterfaceType;
        }

        foreach (var a in Attributes(type))
        {
            yield return a;
        }

        foreach (var p in type.GenericParameters.SelectMany(g => g.Constraints))
        {
            yield return p.ConstraintType;
        }

        foreach (var field in type.Fields)
        {
            yield return field.FieldType;
            foreach (var a in Attributes(field))
            {
                yield return a;
            }
        }

        foreach (var property in type.Properties)
        {
            yield return property.PropertyType;
            foreach (var a in Attributes(property))
            {
                yield return a;
            }
        }

        foreach (var e in type.Events)
        {
            yield return e.EventType;
        }

        foreach (var method in type.Methods)
        {
            foreach (var r in Signature(method))
            {
                yield return r;
            }

            foreach (var a in Attributes(method))
            {
                yield return a;
            }

            if (!method.HasBody)
            {
                continue;
            }

            foreach (var local in method.Body.Variables)
            {
                yield return local.VariableType;
            }

            foreach (var instruction in method.Body.Instructions)
            {
                switch (instruction.Operand)
                {
                    case TypeReference t:
                        yield return t;
                        break;
                    case MethodReference m:
                        foreach (var r in Signature(m))
                        {
                            yield return r;
                        }

                        break;
                    case FieldReference f:
                        yield return f.DeclaringType;
                        yield return f.FieldType;
                        break;
                }
            }
        }
    }

    private static IEnumerable<TypeReference?> Signature(MethodReference method)
    {
        yield return method.DeclaringType;
        yield return method.ReturnType;
        foreach (var p in method.Parameters)
        {
            yield return p.ParameterType;
        }

        if (method is GenericInstanceMethod generic)
        {
            foreach (var argument in generic.GenericArguments)
            {
                yield return argument;
            }
        }
    }

    private static IEnumerable<TypeReference?> Attributes(ICustomAttributeProvider provider)
    {
        foreach (var attribute in provider.CustomAttributes)
        {
            yield return attribute.AttributeType;
            foreach (var argument in attribute.ConstructorArguments)
            {
                if (argument.Value is TypeReference t)
                {
                    yield return t;
                }
            }
        }
    }
}
