"""The providers reverie ships, as specs. Adding one here is what registers it."""

from __future__ import annotations

from reverie.providers.spec import ProviderSpec

OPENAI = ProviderSpec(
    name="openai",
    target="reverie.providers.openai:OpenAI",
    family="openai-chat",
    description="OpenAI chat completions",
    key_env=("OPENAI_API_KEY",),
    base_url="https://api.openai.com/v1",
    base_url_env="OPENAI_BASE_URL",
)
OPENAI_RESPONSES = ProviderSpec(
    name="openai-responses",
    target="reverie.providers.openai:OpenAIResponses",
    family="openai-responses",
    description="OpenAI Responses API",
    key_env=("OPENAI_API_KEY",),
    base_url="https://api.openai.com/v1",
    base_url_env="OPENAI_BASE_URL",
    namespace="openai",
)
AZURE = ProviderSpec(
    name="azure",
    target="reverie.providers.azure:Azure",
    family="openai-chat",
    description="Azure OpenAI (chat completions or Responses; needs base_url or AZURE_BASE_URL)",
    key_env=("AZURE_OPENAI_API_KEY", "AZURE_API_KEY"),
    base_url_env="AZURE_BASE_URL",
    auth="api-key",
    namespace="openai",
)
OPENROUTER = ProviderSpec(
    name="openrouter",
    target="reverie.providers.openrouter:OpenRouter",
    family="openai-chat",
    description="OpenRouter",
    key_env=("OPENROUTER_API_KEY",),
    base_url="https://openrouter.ai/api/v1",
    object_mode="tool",
)
VERCEL = ProviderSpec(
    name="vercel",
    target="reverie.providers.vercel:Vercel",
    family="openai-chat",
    description="Vercel AI Gateway",
    key_env=("AI_GATEWAY_API_KEY",),
    base_url="https://ai-gateway.vercel.sh/v1",
    object_mode="tool",
)
OPENAI_COMPAT = ProviderSpec(
    name="openai-compat",
    target="reverie.providers.openai_compat:OpenAICompatible",
    family="openai-chat",
    description="any OpenAI-compatible endpoint (needs base_url or OPENAI_COMPAT_BASE_URL)",
    key_env=("OPENAI_COMPAT_API_KEY",),
    key_required=False,
    base_url_env="OPENAI_COMPAT_BASE_URL",
    object_mode="tool",
)
ANTHROPIC = ProviderSpec(
    name="anthropic",
    target="reverie.providers.anthropic:Anthropic",
    family="anthropic",
    description="Anthropic Messages API",
    key_env=("ANTHROPIC_API_KEY",),
    base_url="https://api.anthropic.com/v1",
    base_url_env="ANTHROPIC_BASE_URL",
    auth="x-api-key",
    object_mode="tool",
)
BEDROCK = ProviderSpec(
    name="bedrock",
    target="reverie.providers.bedrock:Bedrock",
    family="anthropic",
    description="Claude on Amazon Bedrock (SigV4 via pip install 'reverie[bedrock]', or a key)",
    key_env=("AWS_BEARER_TOKEN_BEDROCK",),
    key_required=False,
    base_url="https://bedrock-runtime.{region}.amazonaws.com",
    auth="sigv4",
    namespace="anthropic",
    object_mode="tool",
)
GOOGLE = ProviderSpec(
    name="google",
    target="reverie.providers.google:Google",
    family="google",
    description="Google Gemini API",
    key_env=("GEMINI_API_KEY", "GOOGLE_API_KEY"),
    base_url="https://generativelanguage.googleapis.com/v1beta",
    auth="x-goog-api-key",
)
VERTEX = ProviderSpec(
    name="vertex",
    target="reverie.providers.vertex:Vertex",
    family="google",
    description="Google Vertex AI: Gemini, and Claude (pip install 'reverie[vertex]')",
    key_required=False,
    base_url="https://{location}-aiplatform.googleapis.com",
    auth="google",
    namespace="google",
)
LOCAL = ProviderSpec(
    name="local",
    target="reverie.providers.local:Local",
    family="local",
    description="a GGUF model run in-process (pip install 'reverie[local]')",
    key_required=False,
    base_url="",
    auth="none",
)

BUILT_IN: tuple[ProviderSpec, ...] = (
    OPENAI,
    OPENAI_RESPONSES,
    AZURE,
    OPENROUTER,
    VERCEL,
    OPENAI_COMPAT,
    ANTHROPIC,
    BEDROCK,
    GOOGLE,
    VERTEX,
    LOCAL,
)
