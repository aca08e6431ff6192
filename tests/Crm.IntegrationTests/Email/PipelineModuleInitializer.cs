using System.Runtime.CompilerServices;
using Crm.Pipeline.Sources.Email;

namespace Crm.IntegrationTests.Email;

/// <summary>
/// In the service, Crm.Pipeline's code runs before any MimeKit call, so its module initializer
/// (the code-page registration) runs first. Tests build messages with MimeKit directly, so they
/// run that initializer up front to match the service.
/// </summary>
internal static class PipelineModuleInitializer
{
#pragma warning disable CA2255 // Test assembly: mirror the service's load order.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Run() => RuntimeHelpers.RunModuleConstructor(typeof(EmailOptions).Module.ModuleHandle);
}
