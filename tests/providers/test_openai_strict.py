"""OpenAI's strict schemas: closed objects, and in strict mode every property required (a
schema whose ``required`` leaves a property out is refused by the API)."""

from __future__ import annotations

import json
from typing import Any

import httpx2
from pydantic import BaseModel

import reverie
from reverie.providers.openai_strict import close_objects


class Address(BaseModel):
    city: str
    zip_code: str = ""


class Person(BaseModel):
    name: str
    nickname: str | None = None
    age: int = 0
    address: Address


def test_strict_mode_requires_every_property_keeping_the_given_order_first() -> None:
    schema = {
        "type": "object",
        "properties": {"a": {"type": "string"}, "b": {"type": "string"}, "c": {"type": "string"}},
        "required": ["c", "a"],
    }
    assert close_objects(schema, require_all=True)["required"] == ["c", "a", "b"]
    assert close_objects(schema)["required"] == ["c", "a"]  # not strict: left as given


def test_nested_objects_and_definitions_are_required_whole_too() -> None:
    strict = close_objects(Person.model_json_schema(), require_all=True)
    assert strict["required"] == ["name", "address", "nickname", "age"]
    assert strict["$defs"]["Address"]["required"] == ["city", "zip_code"]
    assert strict["$defs"]["Address"]["additionalProperties"] is False
    listed = {"type": "array", "items": {"type": "object", "properties": {"x": {}}}}
    assert close_objects(listed, require_all=True)["items"]["required"] == ["x"]


def test_a_property_named_like_a_keyword_is_still_a_property() -> None:
    schema = {
        "type": "object",
        "properties": {"required": {"type": "string"}, "properties": {"type": "string"}},
    }
    strict = close_objects(schema, require_all=True)
    assert strict["required"] == ["required", "properties"]
    assert strict["properties"]["required"] == {"type": "string"}


def test_a_complete_schema_is_unchanged_but_closed() -> None:
    schema = {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]}
    assert close_objects(schema, require_all=True) == {**schema, "additionalProperties": False}
    assert schema == {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]}


async def test_a_model_with_defaults_is_sent_all_required_and_its_answer_validates() -> None:
    sent: list[dict[str, Any]] = []
    answer = {
        "name": "Ada",
        "nickname": None,
        "age": 36,
        "address": {"city": "London", "zip_code": ""},
    }

    def handle(request: httpx2.Request) -> httpx2.Response:
        sent.append(json.loads(request.content))
        message = {"role": "assistant", "content": json.dumps(answer)}
        return httpx2.Response(
            200,
            json={"choices": [{"index": 0, "message": message, "finish_reason": "stop"}]},
        )

    client = httpx2.AsyncClient(transport=httpx2.MockTransport(handle))
    model = reverie.provider("openai", api_key="k", client=client).model("gpt-4o")
    async with client:
        person = await reverie.generate_object(model, Person, prompt="Ada")
    assert person == Person.model_validate(answer)
    wire = sent[0]["response_format"]["json_schema"]
    assert wire["strict"] is True
    assert wire["schema"]["required"] == ["name", "address", "nickname", "age"]


def test_a_strict_function_tool_is_sent_closed_and_all_required_by_both_families() -> None:
    from reverie.model import FunctionTool
    from reverie.providers.openai_chat.tools import prepare_tools as chat_tools
    from reverie.providers.openai_responses.tools import prepare_tools as responses_tools

    schema = {"type": "object", "properties": {"city": {"type": "string"}, "days": {}}}
    strict = FunctionTool(name="f", description="", input_schema=schema, strict=True)
    loose = FunctionTool(name="f", description="", input_schema=schema)
    closed = {**schema, "additionalProperties": False, "required": ["city", "days"]}
    chat, _, _ = chat_tools([strict, loose], None)
    assert [t["function"]["parameters"] for t in chat] == [closed, schema]
    assert [t["function"]["strict"] for t in chat] == [True, False]
    responses, _, _ = responses_tools([strict, loose], None)
    assert [t["parameters"] for t in responses] == [closed, schema]
