"""What a tool function's return value becomes for the model, what it is told about input it
cannot take, and the defaults a tool gets."""

from __future__ import annotations

import datetime
from typing import Any

import pydantic
import pytest

from reverie.errors import ToolInputError
from reverie.messages import ErrorOutput, MediaOutput, TextOutput
from reverie.model import ProviderTool
from reverie.tools.tool import Tool, ToolReturn, ToolRunContext, to_output, tool

COMPUTER = ProviderTool(id="anthropic.computer", name="computer", args={"display_width_px": 800})


class Where(pydantic.BaseModel):
    city: str


def forecast_tool() -> Tool:
    # Built in each test, not at import: mutation testing forks after the tests are imported.
    @tool
    def forecast(where: Where, days: int) -> str:
        """Forecast"""
        return f"{where.city}: {days} days of sun"

    return forecast


def test_a_pydantic_model_returned_is_sent_as_its_json() -> None:
    assert to_output(Where(city="Rome")) == (TextOutput(text='{"city":"Rome"}'), {})


def test_a_datetime_returned_is_sent_as_its_string() -> None:
    value = {"at": datetime.datetime(2026, 1, 2, 3, 4, 5)}
    assert to_output(value) == (TextOutput(text='{"at": "2026-01-02 03:04:05"}'), {})


def test_non_ascii_text_in_json_is_sent_unescaped() -> None:
    assert to_output({"city": "Zürich"}) == (TextOutput(text='{"city": "Zürich"}'), {})


def test_a_string_returned_is_the_text_itself() -> None:
    assert to_output('"quoted"') == (TextOutput(text='"quoted"'), {})


@pytest.mark.parametrize(
    "output",
    [
        TextOutput(text="t"),
        ErrorOutput(message="nope"),
        MediaOutput(data="aGk=", media_type="image/png"),
    ],
)
def test_a_tool_output_returned_is_sent_unchanged(output: Any) -> None:
    assert to_output(output) == (output, {})


def test_a_tool_return_sends_its_output_and_keeps_its_metadata_apart() -> None:
    value = ToolReturn(output={"n": 1}, metadata={"rows": 3})  # type: ignore[arg-type]
    assert to_output(value) == (TextOutput(text='{"n": 1}'), {"rows": 3})


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            '{"days":"x"}',
            "where: Field required; "
            "days: Input should be a valid integer, unable to parse string as an integer",
        ),
        ('{"where":{},"days":1}', "where.city: Field required"),
        ("[1]", "input: Input should be an object"),
    ],
)
def test_invalid_input_is_told_as_short_field_messages(arguments: str, message: str) -> None:
    with pytest.raises(ToolInputError) as caught:
        forecast_tool().validate(arguments)
    assert str(caught.value) == message


def test_blank_input_means_no_arguments() -> None:
    @tool
    def now() -> str:
        return "noon"

    assert now.validate("  ").model_dump() == {}


async def test_validated_input_reaches_the_function_by_name() -> None:
    forecast = forecast_tool()
    args = forecast.validate('{"where":{"city":"Oslo"},"days":2}')
    output, _ = await forecast.run(args, ToolRunContext(tool_call_id="c", tool_name="forecast"))
    assert output == TextOutput(text="Oslo: 2 days of sun")


async def test_an_exception_in_a_tool_is_an_error_naming_its_type() -> None:
    @tool
    def broken() -> str:
        raise KeyError("city")

    output, metadata = await broken.run(
        broken.validate("{}"), ToolRunContext(tool_call_id="c", tool_name="broken")
    )
    assert output == ErrorOutput(message="KeyError: 'city'") and metadata == {}


def test_tools_run_one_at_a_time_unless_marked_parallel() -> None:
    def noop(_: Any = None) -> str:
        return ""

    assert forecast_tool().parallel is False
    assert Tool.from_model(Where, noop).parallel is False
    assert Tool.from_schema("s", "", {}, noop).parallel is False
    assert tool(parallel=True)(noop).parallel is True
    assert Tool.from_model(Where, noop, parallel=True).parallel is True
    assert Tool.from_schema("s", "", {}, noop, parallel=True).parallel is True


def test_a_schema_tool_refuses_input_that_is_not_an_object() -> None:
    schema_tool = Tool.from_schema("s", "", {}, lambda args: "")
    with pytest.raises(ToolInputError, match=r"^tool input must be a JSON object$"):
        schema_tool.validate("[1]")


def test_unreadable_json_for_a_schema_tool_is_told_as_the_parsers_message() -> None:
    schema_tool = Tool.from_schema("s", "", {}, lambda args: "")
    with pytest.raises(ToolInputError) as caught:
        schema_tool.validate("{x")
    assert str(caught.value) == (
        "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"
    )


def test_every_way_of_building_a_tool_keeps_its_timeout_and_approval() -> None:
    def noop(_: Any = None) -> str:
        return ""

    def policy(*_: Any) -> bool:
        return True

    built = [
        tool(timeout=5, needs_approval=policy)(noop),
        Tool.from_model(Where, noop, timeout=5, needs_approval=policy),
        Tool.from_schema("s", "", {}, noop, timeout=5, needs_approval=policy),
        Tool.from_provider_tool(COMPUTER, noop, timeout=5, needs_approval=policy),
    ]
    assert [(t.timeout, t.needs_approval) for t in built] == [(5, policy)] * 4


def test_an_executable_provider_tool_is_sequential_and_described_by_the_provider() -> None:
    def noop(_: Any = None) -> str:
        return ""

    computer = Tool.from_provider_tool(COMPUTER, noop)
    assert (computer.name, computer.description, computer.input_schema) == ("computer", "", {})
    assert (computer.parallel, computer.spec) == (False, COMPUTER)
    assert Tool.from_provider_tool(COMPUTER, noop, parallel=True).parallel is True


def test_var_args_are_refused_naming_the_function() -> None:
    def anything(*args: Any) -> str:
        return ""

    with pytest.raises(
        TypeError, match=r"^tool anything: \*args and \*\*kwargs cannot be described$"
    ):
        tool(anything)


def test_a_tool_name_providers_refuse_is_refused_quoting_at_most_80_characters() -> None:
    from reverie.errors import ConfigurationError

    with pytest.raises(ConfigurationError) as caught:
        Tool.from_schema("x" * 100, "", {}, lambda args: "")
    assert str(caught.value) == (
        f"tool name {'x' * 80!r} is not accepted by providers: use 1 to 64 letters, "
        "digits, '_' or '-' (name=... on @tool renames a function)"
    )


def test_a_tool_name_that_is_not_a_string_is_a_type_error_naming_its_type() -> None:
    with pytest.raises(TypeError, match=r"^a tool name must be a str, not int$"):
        Tool.from_schema(5, "", {}, lambda args: "")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("timeout", "5", "tool t: timeout must be seconds, not str"),
        (
            "needs_approval",
            "yes",
            "tool t: needs_approval must be a bool or a policy function, not str",
        ),
    ],
)
def test_a_wrong_option_type_is_an_error_naming_the_type(
    field: str, value: Any, message: str
) -> None:
    with pytest.raises(TypeError) as caught:
        Tool.from_schema("t", "", {}, lambda args: "", **{field: value})
    assert str(caught.value) == message


def test_a_function_without_a_docstring_has_an_empty_description() -> None:
    def bare() -> str:
        return ""

    assert tool(bare).description == ""
