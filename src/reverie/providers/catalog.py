"""The providers reverie ships, as specs. Adding one here is what registers it."""

from __future__ import annotations

from reverie.providers.spec import ProviderSpec

# OpenAI and Azure serve both OpenAI wire families under one root.
_CHAT_AND_RESPONSES = (("/chat/completions", "openai-chat"), ("/responses", "openai-responses"))

OPENAI = ProviderSpec(
    name="openai",
    target="reverie.providers.openai:OpenAI",
    family="openai-chat",
    description="OpenAI chat completions",
    key_env=("OPENAI_API_KEY",),
    base_url="https://api.openai.com/v1",
    base_url_env="OPENAI_BASE_URL",
    hosts=("api.openai.com",),
    endpoints=_CHAT_AND_RESPONSES,
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
    hosts=("api.openai.com",),
    endpoints=_CHAT_AND_RESPONSES,
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
    hosts=("openai.azure.com",),
    endpoints=_CHAT_AND_RESPONSES,
)
OPENROUTER = ProviderSpec(
    name="openrouter",
    target="reverie.providers.openrouter:OpenRouter",
    family="openai-chat",
    description="OpenRouter",
    key_env=("OPENROUTER_API_KEY",),
    base_url="https://openrouter.ai/api/v1",
    object_mode="tool",
    hosts=("openrouter.ai",),
    dialect="reverie.providers.openrouter:RouterDialect",
)
VERCEL = ProviderSpec(
    name="vercel",
    target="reverie.providers.vercel:Vercel",
    family="openai-chat",
    description="Vercel AI Gateway",
    key_env=("AI_GATEWAY_API_KEY",),
    base_url="https://ai-gateway.vercel.sh/v1",
    object_mode="tool",
    hosts=("ai-gateway.vercel.sh",),
    dialect="reverie.providers.vercel:VercelDialect",
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
    dialect="reverie.providers.openai_compat:CompatDialect",
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
    hosts=("api.anthropic.com",),
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
    hosts=("bedrock-runtime.*.amazonaws.com", "bedrock-runtime-fips.*.amazonaws.com"),
    endpoints=(("/invoke", "anthropic"), ("/invoke-with-response-stream", "anthropic")),
    framing="reverie.providers.bedrock:BedrockEvents",
)
GOOGLE = ProviderSpec(
    name="google",
    target="reverie.providers.google:Google",
    family="google",
    description="Google Gemini API",
    key_env=("GEMINI_API_KEY", "GOOGLE_API_KEY"),
    base_url="https://generativelanguage.googleapis.com/v1beta",
    auth="x-goog-api-key",
    hosts=("generativelanguage.googleapis.com",),
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
    required_env=("GOOGLE_CLOUD_PROJECT",),
    hosts=(
        "aiplatform.googleapis.com",
        "*-aiplatform.googleapis.com",
        "aiplatform.*.rep.googleapis.com",
    ),
    endpoints=(
        (":generateContent", "google"),
        (":streamGenerateContent", "google"),
        (":rawPredict", "anthropic"),
        (":streamRawPredict", "anthropic"),
    ),
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
