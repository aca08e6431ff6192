using Npgsql;
using NpgsqlTypes;

namespace Crm.Pipeline.Warehouse;

/// <summary>
/// The values a binary COPY writes that may be missing: a null becomes SQL NULL, anything else is
/// written as the given type. One place for what every loader's COPY needs (orders, email, web logs).
/// The synchronous forms only touch the socket when the importer's buffer is full, which is why the
/// per-row loops use them; the asynchronous form is for loops that await between rows anyway.
/// </summary>
public static class CopyWrite
{
    /// <summary>Writes <paramref name="value"/> as <c>text</c>, or NULL when it is null.</summary>
    public static void TextOrNull(this NpgsqlBinaryImporter importer, string? value)
    {
        ArgumentNullException.ThrowIfNull(importer);
        if (value is null)
        {
            importer.WriteNull();
        }
        else
        {
            importer.Write(value, NpgsqlDbType.Text);
        }
    }

    /// <summary>Writes <paramref name="value"/> as <paramref name="type"/>, or NULL when it has no value.</summary>
    public static void ValueOrNull<T>(this NpgsqlBinaryImporter importer, T? value, NpgsqlDbType type)
        where T : struct
    {
        ArgumentNullException.ThrowIfNull(importer);
        if (value is { } v)
        {
            importer.Write(v, type);
        }
        else
        {
            importer.WriteNull();
        }
    }

    /// <summary>Writes <paramref name="value"/> as <c>text</c>, or NULL when it is null, awaiting the socket if the buffer is full.</summary>
    public static Task TextOrNullAsync(this NpgsqlBinaryImporter importer, string? value, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(importer);
        return value is null ? importer.WriteNullAsync(cancellationToken) : importer.WriteAsync(value, NpgsqlDbType.Text, cancellationToken);
    }

    /// <summary>Writes <paramref name="value"/> as <paramref name="type"/>, or NULL when it has no value, awaiting the socket if the buffer is full.</summary>
    public static Task ValueOrNullAsync<T>(this NpgsqlBinaryImporter importer, T? value, NpgsqlDbType type, CancellationToken cancellationToken)
        where T : struct
    {
        ArgumentNullException.ThrowIfNull(importer);
        return value is { } v ? importer.WriteAsync(v, type, cancellationToken) : importer.WriteNullAsync(cancellationToken);
    }
}
