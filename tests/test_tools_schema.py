"""JSON schemas of tools: exactly what providers are sent."""

from typing import Annotated, Any, Literal

import pydantic
import pytest

from reverie import Agent, MediaOutput, Tool, ToolRunContext, media, tool
from reverie.conformance.scenarios import make_tools
from reverie.model import FunctionTool
from reverie.testing.fake import ScriptedModel, reply

WEATHER_SCHEMA = {
    "type": "object",
    "properties": {"location": {"type": "string", "description": "the city"}},
    "required": ["location"],
}
NUMBERS_SCHEMA = {
    "type": "object",
    "properties": {
        "a": {"type": "integer", "description": "first number"},
        "b": {"type": "integer", "description": "second number"},
    },
    "required": ["a", "b"],
}


def keys_named(value: Any, name: str, *, skip_property_names: bool = True) -> list[str]:
    """Paths of every key ``name`` used as a schema keyword (property names are skipped)."""
    found: list[str] = []

    def walk(node: Any, path: str, in_properties: bool) -> None:
        if isinstance(node, dict):
            for key, sub in node.items():
                if key == name and not (in_properties and skip_property_names):
                    found.append(f"{path}/{key}")
                walk(sub, f"{path}/{key}", key in ("properties", "$defs"))
        elif isinstance(node, list):
            for i, sub in enumerate(node):
                walk(sub, f"{path}/{i}", False)

    walk(value, "", False)
    return found


def test_conformance_weather_tool() -> None:
    [weather] = make_tools(("weather",))
    assert weather.name == "weather"
    assert weather.description == "Get weather information for a location"
    assert weather.input_schema == WEATHER_SCHEMA
    assert list(weather.input_schema["required"]) == ["location"]
    assert weather.spec == FunctionTool(
        name="weather",
        description="Get weather information for a location",
        input_schema=WEATHER_SCHEMA,
    )


@pytest.mark.parametrize(
    ("name", "description"), [("add", "Add two numbers"), ("multiply", "Multiply two numbers")]
)
def test_conformance_number_tools(name: str, description: str) -> None:
    [numbers] = make_tools((name,))
    assert numbers.name == name
    assert numbers.description == description
    assert numbers.input_schema == NUMBERS_SCHEMA
    assert list(numbers.input_schema["required"]) == ["a", "b"]
    assert list(numbers.input_schema["properties"]) == ["a", "b"]


def test_example_weather_tool() -> None:
    from reverie.examples.weather import weather

    spec = tool(weather)
    assert spec.input_schema == WEATHER_SCHEMA
    assert spec.description.startswith("Get weather information for a location")


def test_multiline_docstring_is_cleaned() -> None:
    def search(query: str) -> str:
        """Search the web.

        Returns the top results.
        """
        return ""

    assert tool(search).description == "Search the web.\n\nReturns the top results."


def test_name_and_description_overrides() -> None:
    @tool(name="find", description="Find things")
    def search(query: str) -> str:
        """Ignored"""
        return ""

    assert (search.name, search.description) == ("find", "Find things")
    assert tool(name="blank", description="")(lambda: "").description == ""


def test_pydantic_field_descriptions() -> None:
    def book(
        title: Annotated[str, pydantic.Field(description="the book title")],
        copies: Annotated[int, pydantic.Field(description="how many", ge=1)],
    ) -> str:
        """Book it"""
        return ""

    assert tool(book).input_schema == {
        "type": "object",
        "properties": {
            "title": {"type": "string", "description": "the book title"},
            "copies": {"type": "integer", "description": "how many", "minimum": 1},
        },
        "required": ["title", "copies"],
    }


def test_defaults_make_parameters_optional() -> None:
    def forecast(location: str, days: int = 3, unit: str | None = None) -> str:
        """Forecast"""
        return ""

    schema = tool(forecast).input_schema
    assert list(schema["required"]) == ["location"]
    assert schema["properties"]["days"] == {"type": "integer", "default": 3}
    assert schema["properties"]["unit"] == {
        "anyOf": [{"type": "string"}, {"type": "null"}],
        "default": None,
    }


def test_defaults_are_used_when_omitted() -> None:
    def forecast(location: str, days: int = 3) -> str:
        return ""

    spec = tool(forecast)
    args = spec.validate('{"location": "Pisa"}')
    assert (args.location, args.days) == ("Pisa", 3)


def test_no_parameters() -> None:
    def now() -> str:
        """The time"""
        return "noon"

    assert tool(now).input_schema == {"type": "object", "properties": {}}


def test_literal_becomes_enum() -> None:
    def convert(unit: Literal["celsius", "fahrenheit"], precision: Literal[0, 1, 2] = 1) -> str:
        """Convert"""
        return ""

    schema = tool(convert).input_schema
    assert schema["properties"]["unit"] == {"type": "string", "enum": ["celsius", "fahrenheit"]}
    assert schema["properties"]["precision"] == {
        "type": "integer",
        "enum": [0, 1, 2],
        "default": 1,
    }
    assert list(schema["required"]) == ["unit"]


class Author(pydantic.BaseModel):
    title: str
    name: str = "anon"


class Book(pydantic.BaseModel):
    """A book to file"""

    title: str = pydantic.Field(description="the title")
    author: Author
    co_authors: list[Author] = []
    editor: Author | None = None
    kind: Literal["novel", "essay"] = "novel"


def file_book(book: Book, title: Annotated[str, "shelf label"]) -> str:
    """File a book"""
    return ""


def test_no_title_keywords_but_title_properties_survive() -> None:
    for schema in (tool(file_book).input_schema, Tool.from_model(Book, lambda b: "").input_schema):
        assert keys_named(schema, "title") == []
        # sanity check of the checker: the property names are there
        assert keys_named(schema, "title", skip_property_names=False) != []

    schema = tool(file_book).input_schema
    assert schema["properties"]["title"] == {"type": "string", "description": "shelf label"}
    assert list(schema["required"]) == ["book", "title"]
    book = schema["$defs"]["Book"]
    assert book["properties"]["title"] == {"type": "string", "description": "the title"}
    assert book["description"] == "A book to file"
    assert schema["$defs"]["Author"] == {
        "type": "object",
        "properties": {
            "title": {"type": "string"},
            "name": {"type": "string", "default": "anon"},
        },
        "required": ["title"],
    }
    assert book["properties"]["co_authors"]["items"] == {"$ref": "#/$defs/Author"}
    assert book["properties"]["editor"]["anyOf"][0] == {"$ref": "#/$defs/Author"}


def test_nested_model_input_is_validated_into_the_model() -> None:
    spec = tool(file_book)
    args = spec.validate('{"book": {"title": "T", "author": {"title": "Dr"}}, "title": "A1"}')
    assert isinstance(args.book, Book)
    assert args.book.author == Author(title="Dr")


class GetWeather(pydantic.BaseModel):
    """Weather for a city"""

    city: Annotated[str, pydantic.Field(description="the city")]
    unit: Literal["c", "f"] = "c"


async def test_from_model() -> None:
    got: list[GetWeather] = []

    def run(args: GetWeather) -> str:
        got.append(args)
        return f"cold in {args.city}"

    spec = Tool.from_model(GetWeather, run)
    assert spec.name == "get_weather"
    assert spec.description == "Weather for a city"
    assert spec.input_schema == {
        "type": "object",
        "description": "Weather for a city",
        "properties": {
            "city": {"type": "string", "description": "the city"},
            "unit": {"type": "string", "enum": ["c", "f"], "default": "c"},
        },
        "required": ["city"],
    }
    renamed = Tool.from_model(GetWeather, run, name="w", description="d", parallel=True)
    assert (renamed.name, renamed.description, renamed.parallel) == ("w", "d", True)

    model = ScriptedModel([reply(tool_calls=[("c1", "get_weather", '{"city": "Oslo"}')]), reply()])
    result = await Agent(model, tools=[spec]).run("go")
    assert got == [GetWeather(city="Oslo")]
    assert result.steps[0].tool_results[0].output.text == "cold in Oslo"  # type: ignore[union-attr]


class NoDoc(pydantic.BaseModel):
    city: str


def test_from_model_without_docstring_has_empty_description() -> None:
    spec = Tool.from_model(NoDoc, lambda args: "")
    assert spec.description == ""


async def test_from_schema() -> None:
    schema = {
        "type": "object",
        "title": "kept as given",
        "properties": {"q": {"type": "string"}},
        "required": ["q"],
    }
    got: list[dict[str, Any]] = []

    async def run(args: dict[str, Any]) -> str:
        got.append(args)
        return "found"

    spec = Tool.from_schema("lookup", "Look something up", schema, run)
    assert (spec.name, spec.description, spec.parallel) == ("lookup", "Look something up", False)
    assert spec.input_schema == schema
    assert spec.spec.input_schema == schema

    model = ScriptedModel([reply(tool_calls=[("c1", "lookup", '{"q": "x"}')]), reply()])
    result = await Agent(model, tools=[spec]).run("go")
    assert got == [{"q": "x"}]
    assert result.steps[0].tool_results[0].output.text == "found"  # type: ignore[union-attr]
    assert model.calls[0].tools[0] == FunctionTool(
        name="lookup", description="Look something up", input_schema=schema
    )


def test_from_schema_rejects_non_objects() -> None:
    from reverie.errors import ToolInputError

    spec = Tool.from_schema("lookup", "", {"type": "object"}, lambda args: "")
    with pytest.raises(ToolInputError):
        spec.validate("[1, 2]")
    assert spec.validate("") == {}


async def test_tool_context_is_excluded_and_gets_the_call_id() -> None:
    seen: list[ToolRunContext] = []

    def lookup(query: str, context: ToolRunContext, limit: int = 5) -> str:
        """Look up"""
        seen.append(context)
        return f"{query}:{limit}"

    async def alookup(context: ToolRunContext, query: str) -> str:
        """Look up, async"""
        seen.append(context)
        return query

    spec = tool(lookup)
    assert spec.input_schema == {
        "type": "object",
        "properties": {
            "query": {"type": "string"},
            "limit": {"type": "integer", "default": 5},
        },
        "required": ["query"],
    }
    assert tool(alookup).input_schema == {
        "type": "object",
        "properties": {"query": {"type": "string"}},
        "required": ["query"],
    }

    model = ScriptedModel(
        [
            reply(
                tool_calls=[
                    ("call_1", "lookup", '{"query": "a"}'),
                    ("call_2", "alookup", '{"query": "b"}'),
                ]
            ),
            reply("ok"),
        ]
    )
    result = await Agent(model, tools=[spec, alookup]).run("go")
    assert seen == [
        ToolRunContext(tool_call_id="call_1", tool_name="lookup"),
        ToolRunContext(tool_call_id="call_2", tool_name="alookup"),
    ]
    outputs = [r.output.text for r in result.steps[0].tool_results]  # type: ignore[union-attr]
    assert outputs == ["a:5", "b"]


def test_context_is_rejected_as_model_input() -> None:
    def lookup(query: str, context: ToolRunContext) -> str:
        return ""

    args = tool(lookup).validate('{"query": "a", "context": {"tool_call_id": "x"}}')
    assert not hasattr(args, "context")


def test_var_args_are_refused() -> None:
    def bad(*args: int) -> str:
        return ""

    with pytest.raises(TypeError):
        tool(bad)


# --- bytes returned by a tool -----------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 8


@pytest.mark.parametrize(
    ("data", "media_type"),
    [
        (PNG, "image/png"),
        (b"\xff\xd8\xff\xe0rest", "image/jpeg"),
        (b"GIF89a...", "image/gif"),
        (b"GIF87a...", "image/gif"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp"),
        (b"%PDF-1.7\n", "application/pdf"),
        (b"\x00\x01\x02", "application/octet-stream"),
        (b"", "application/octet-stream"),
    ],
)
def test_bytes_from_a_tool_become_base64_media_with_a_sniffed_type(
    data: bytes, media_type: str
) -> None:
    import base64

    from reverie.tools.tool import to_output

    for value in (data, bytearray(data), memoryview(data)):
        output, metadata = to_output(value)
        assert output == MediaOutput(
            data=base64.b64encode(data).decode("ascii"), media_type=media_type
        )
        assert metadata == {}


async def test_a_tool_returning_png_bytes_sends_an_image() -> None:
    @tool
    def screenshot() -> bytes:
        """Take a screenshot"""
        return PNG

    output, _ = await screenshot.run(
        screenshot.validate("{}"), ToolRunContext(tool_call_id="c1", tool_name="screenshot")
    )
    assert isinstance(output, MediaOutput)
    assert output.media_type == "image/png"


def test_media_sniffs_the_type_when_none_is_given() -> None:
    assert media(PNG).media_type == "image/png"
    assert media(PNG, "image/x-custom").media_type == "image/x-custom"


def test_riff_data_that_is_not_webp_is_not_an_image() -> None:
    from reverie.tools.tool import sniff_media_type

    assert sniff_media_type(b"RIFF\x00\x00\x00\x00WAVEfmt ") == "application/octet-stream"
    assert sniff_media_type(b"RIFX\x00\x00\x00\x00WEBPVP8 ") == "application/octet-stream"


def test_a_new_cancel_event_is_not_set() -> None:
    from reverie.tools.tool import CancelEvent

    event = CancelEvent()
    assert event.is_set() is False and event.wait(0) is False
