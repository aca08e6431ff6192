using System.Runtime.CompilerServices;
using System.Text;

namespace Crm.Pipeline.Sources.Email;

/// <summary>
/// Registers .NET's code-page encodings (ISO-2022-JP, windows-125x, KOI8-R, …) when this assembly
/// loads. MimeKit looks charsets up once and remembers the answer, so the provider must be in
/// place before any MimeKit code runs; otherwise such subjects and bodies decode as mojibake.
/// </summary>
internal static class CharsetRegistration
{
#pragma warning disable CA2255 // A module initializer is the only hook that runs before any MimeKit use in the host.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Register() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
}
