using System.Text;
using System.Text.Json;

namespace Crm.Pipeline.Identity;

/// <summary>Renders the evidence of a link: each field's comparison level, whether it agreed, and its weight (term-frequency adjustment included).</summary>
internal static class Evidence
{
    public static string FieldsJson(FellegiSunterModel model, ulong pattern, MatchRecord left, MatchRecord right)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartArray();
            for (var f = 0; f < MatchRecord.FieldCount; f++)
            {
                var field = (MatchField)f;
                var level = PairComparer.Level(pattern, f);
                if (level < 0 && left[field] is null && right[field] is null)
                {
                    continue;
                }

                w.WriteStartObject();
                w.WriteString("field", Name(field));
                w.WriteNumber("level", level);
                w.WriteString("agreement", level < 0 ? "missing" : PairComparer.LevelNames[f][level]);
                w.WriteBoolean("agrees", level > 0);
                w.WriteNumber("weight", Math.Round(model.Weight(f, level) + model.FrequencyAdjustment(f, pattern, left, right), 3));
                w.WriteString("left", left[field]);
                w.WriteString("right", right[field]);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    public static string Name(MatchField field) => field switch
    {
        MatchField.DateOfBirth => "date_of_birth",
        MatchField.StreetNumber => "street_number",
        MatchField.NationalId => "national_id",
        _ => field.ToString().ToLowerInvariant(),
    };
}
