"""Vertex's streamed function-call arguments (``stream_function_call_arguments`` →
``toolConfig.functionCallingConfig.streamFunctionCallArguments``): a call named with
``willContinue``, then ``partialArgs`` (a value at a JSON path; strings continue while
``willContinue``), then an empty ``functionCall``. One call per function call, its input
deltas the arguments' JSON text.

Hand-made after the documented FunctionCall / PartialArg shapes; streams are also fed in
1..7-byte network pieces."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from test_google import ADD, GoogleServer, collect, fold
from test_vertex import vertex

from reverie.content import ToolCall
from reverie.errors import StreamError
from reverie.http.sse import ServerSentEvent
from reverie.messages import user_message
from reverie.model import Finish, ToolInputDelta, ToolInputEnd, ToolInputStart
from reverie.providers.google.ids import make_id_generator
from reverie.providers.google.partial_args import PartialCall, parse_path
from reverie.providers.google.request import build_body
from reverie.providers.google.stream import GeminiStreamParser
from reverie.providers.kit import Call

ASK = Call(prompt=[user_message("Light?")], tools=[ADD])
STREAMING = {"google": {"stream_function_call_arguments": True}}


def chunk(*parts: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
    candidate: dict[str, Any] = {"content": {"role": "model", "parts": list(parts)}}
    if finish:
        candidate["finishReason"] = finish
    return {"candidates": [candidate], "modelVersion": "gemini-3-pro"}


def call(**fields: Any) -> dict[str, Any]:
    return {"functionCall": fields}


def arg(path: str, more: bool = False, **value: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"jsonPath": path, **value}
    if more:
        out["willContinue"] = True
    return out


LIGHT = [
    chunk(call(name="set_light", willContinue=True)),
    chunk(
        call(
            partialArgs=[arg("$.location", True, stringValue="Bos")],
            willContinue=True,
        )
    ),
    chunk(call(partialArgs=[arg("$.location", stringValue="ton, MA")], willContinue=True)),
    chunk(call(partialArgs=[arg("$.brightness", numberValue=50)], willContinue=True)),
    chunk(call()),
    chunk({"text": ""}, finish="STOP"),
]


def parse(chunks: list[dict[str, Any]]) -> list[Any]:
    parser = GeminiStreamParser([], "vertex", make_id_generator(None, "vertex"))
    parts: list[Any] = []
    for data in chunks:
        parts += parser.feed(ServerSentEvent(event="message", data=json.dumps(data)))
    return parts + parser.finish()


def test_the_option_goes_to_the_function_calling_config() -> None:
    body, warnings = build_body(
        Call(prompt=ASK.prompt, tools=ASK.tools, provider_options=STREAMING),
        namespace="google",
        send_ids=False,
    )
    assert body["toolConfig"] == {
        "functionCallingConfig": {"mode": "AUTO", "streamFunctionCallArguments": True}
    }
    assert warnings == []
    body, warnings = build_body(
        Call(prompt=ASK.prompt, provider_options=STREAMING), namespace="google", send_ids=False
    )
    assert "toolConfig" not in body
    assert [(w.kind, w.setting, w.message) for w in warnings] == [
        (
            "unsupported-setting",
            "google.stream_function_call_arguments",
            "there are no function tools whose arguments could stream; not sent",
        )
    ]


def test_one_call_whose_deltas_are_its_arguments_json() -> None:
    parts = parse(LIGHT)
    assert parts[:-1] == [
        ToolInputStart("1", "set_light"),
        ToolInputDelta("1", '{"location": "Bos'),
        ToolInputDelta("1", 'ton, MA"'),
        ToolInputDelta("1", ', "brightness": 50'),
        ToolInputDelta("1", "}"),
        ToolInputEnd("1"),
        ToolCall(
            tool_call_id="1",
            tool_name="set_light",
            input='{"location": "Boston, MA", "brightness": 50}',
        ),
    ]
    finish = parts[-1]
    assert isinstance(finish, Finish) and finish.finish_reason == "tool-calls"


@pytest.mark.parametrize("chunk_size", [1, 2, 3, 4, 5, 6, 7])
async def test_vertex_streams_one_call_in_network_pieces(chunk_size: int) -> None:
    server = GoogleServer(chunk_size=chunk_size)
    body = "".join(f"data: {json.dumps(c)}\r\n\r\n" for c in LIGHT).encode()
    server.answers.append((200, body, "text/event-stream"))
    model = vertex(server).model("gemini-3-pro")
    parts = await collect(
        model, Call(prompt=ASK.prompt, tools=ASK.tools, provider_options=STREAMING)
    )
    response = fold(parts)
    assert [c.type for c in response.content] == ["tool-call"]
    assert json.loads(response.content[0].input) == {"location": "Boston, MA", "brightness": 50}
    tool_config = server.requests[0]["toolConfig"]["functionCallingConfig"]
    assert tool_config["streamFunctionCallArguments"] is True


NESTED = {
    "trip": {
        "origin": 'Rome "Fiumicino"',
        "stops": [{"city": "Pisa", "nights": 2}, {"city": "Lucca", "nights": None}],
    },
    "tags": ["art", "food"],
    "rail": True,
    "notes\u00e9": "ok\n",
}


def nested_chunks(*, terminal: bool) -> list[dict[str, Any]]:
    partials = [
        [arg("$.trip.origin", True, stringValue='Rome "Fi')],
        [arg("$.trip.origin", stringValue='umicino"')],
        [
            arg("$.trip.stops[0].city", stringValue="Pisa"),
            arg("$.trip.stops[0].nights", numberValue=2),
        ],
        [arg("$.trip.stops[1].city", True, stringValue="Lu")],
        [arg("$.trip.stops[1].city", stringValue="cca")],
        [arg("$.trip.stops[1].nights", nullValue="NULL_VALUE")],
        [arg("$.tags[0]", stringValue="art"), arg("$.tags[1]", stringValue="food")],
        [arg("$.rail", boolValue=True)],
        [arg("$['notes\u00e9']", True, stringValue="ok\n")],
    ]
    chunks = [chunk(call(name="plan", willContinue=True, id="fc_1"))]
    chunks += [chunk(call(partialArgs=p, willContinue=True)) for p in partials]
    if terminal:
        chunks.append(chunk(call()))
    chunks.append(chunk(finish="STOP"))
    return chunks


@pytest.mark.parametrize("terminal", [True, False])
def test_nested_objects_arrays_and_a_missing_terminal_part(terminal: bool) -> None:
    parts = parse(nested_chunks(terminal=terminal))
    deltas = "".join(p.delta for p in parts if isinstance(p, ToolInputDelta))
    calls = [p for p in parts if isinstance(p, ToolCall)]
    assert len(calls) == 1 and calls[0].tool_call_id == "fc_1" and calls[0].tool_name == "plan"
    assert deltas == calls[0].input == json.dumps(NESTED, ensure_ascii=False)
    assert json.loads(calls[0].input) == NESTED
    assert [type(p) for p in parts[-3:]] == [ToolInputEnd, ToolCall, Finish]


def test_the_next_named_call_ends_the_one_streaming() -> None:
    parts = parse(
        [
            chunk(call(name="a", willContinue=True)),
            chunk(call(partialArgs=[arg("$.x", numberValue=1)], willContinue=True)),
            chunk(call(name="b", willContinue=True)),
            chunk(call(partialArgs=[arg("$.y", True, stringValue="q")], willContinue=True)),
            chunk(call(name="c", args={"z": 3})),  # a whole call after a streaming one
            chunk(finish="STOP"),
        ]
    )
    calls = [(p.tool_call_id, p.tool_name, p.input) for p in parts if isinstance(p, ToolCall)]
    assert calls == [("1", "a", '{"x": 1}'), ("2", "b", '{"y": "q"}'), ("3", "c", '{"z": 3}')]


def test_empty_parts_with_nothing_open_give_no_call() -> None:
    parts = parse([chunk(call(), call(willContinue=False)), chunk({"text": "hi"}, finish="STOP")])
    assert not any(isinstance(p, (ToolCall, ToolInputStart)) for p in parts)


def test_whole_args_on_a_streaming_call_are_its_input() -> None:
    parts = parse(
        [
            chunk(call(name="a", willContinue=True, args={"k": [1, 2]})),
            chunk(call(willContinue=False)),
            chunk(finish="STOP"),
        ]
    )
    assert next(p for p in parts if isinstance(p, ToolCall)).input == '{"k": [1, 2]}'


def test_paths_out_of_document_order_still_give_the_right_input() -> None:
    parts = parse(
        [
            chunk(call(name="a", willContinue=True)),
            chunk(call(partialArgs=[arg("$.p.x", numberValue=1), arg("$.q", numberValue=2)])),
            chunk(finish="STOP"),
        ]
    )
    # Both in one part; and a second call going back to a closed container:
    assert [p.input for p in parts if isinstance(p, ToolCall)] == ['{"p": {"x": 1}, "q": 2}']
    parts = parse(
        [
            chunk(call(name="a", willContinue=True)),
            chunk(call(partialArgs=[arg("$.p.x", numberValue=1)], willContinue=True)),
            chunk(call(partialArgs=[arg("$.q", numberValue=2)], willContinue=True)),
            chunk(call(partialArgs=[arg("$.p.y", numberValue=3)], willContinue=True)),
            chunk(finish="STOP"),
        ]
    )
    [whole] = [p for p in parts if isinstance(p, ToolCall)]
    assert json.loads(whole.input) == {"p": {"x": 1, "y": 3}, "q": 2}
    assert whole.input == '{"p": {"x": 1, "y": 3}, "q": 2}'


def test_the_thought_signature_of_a_streaming_call_is_kept() -> None:
    parts = parse(
        [
            chunk({"functionCall": {"name": "a", "willContinue": True}, "thoughtSignature": "sig"}),
            chunk(call(partialArgs=[arg("$.x", boolValue=False)])),
            chunk(finish="STOP"),
        ]
    )
    [done] = [p for p in parts if isinstance(p, ToolCall)]
    assert done.input == '{"x": false}'
    assert done.provider_metadata == {"google": {"thought_signature": "sig", "host": "vertex"}}


def test_partial_args_that_are_not_a_list_are_a_stream_error() -> None:
    with pytest.raises(StreamError, match=r"^vertex: 'functionCall\.partialArgs' is not a list"):
        parse([chunk(call(name="a", willContinue=True, partialArgs={"jsonPath": "$.x"}))])


@pytest.mark.parametrize(
    ("fields", "path"),
    [
        ({"name": 3}, "functionCall.name"),
        ({"name": "a", "id": 7}, "functionCall.id"),
        ({"name": "a", "args": "not an object"}, "functionCall.args"),
    ],
)
def test_call_fields_of_the_wrong_kind_are_a_stream_error_naming_them(
    fields: dict[str, Any], path: str
) -> None:
    with pytest.raises(StreamError, match="^vertex: " + re.escape(f"'{path}' is not ")):
        parse([chunk(call(willContinue=True, **fields))])


def test_json_paths() -> None:
    assert parse_path("$") == []
    assert parse_path("$.a_1.b") == ["a_1", "b"]
    assert parse_path("$.a[2].b") == ["a", 2, "b"]
    assert parse_path("$['a b'][\"c\"]") == ["a b", "c"]
    assert parse_path("$['it\\'s']") == ["it's"]
    for bad in ("", "a.b", "$.", "$[x]", "$.a[", "$..a", "$.1a"):
        assert parse_path(bad) is None, bad


def test_partial_args_that_carry_nothing_are_skipped() -> None:
    partial = PartialCall()
    assert partial.add("x") is None
    assert partial.add({"jsonPath": "$.a"}) is None  # no value
    assert partial.add({"jsonPath": "nope", "stringValue": "v"}) is None
    assert partial.add({"jsonPath": "$", "stringValue": "v"}) is None  # the root is no member
    assert partial.add({"jsonPath": "$.a", "stringValue": None}) == '{"a": ""'
    assert partial.add({"jsonPath": "$.a.b", "numberValue": 1}) == ', "a": {"b": 1'
    assert partial.close() == "}}"
    assert partial.args == {"a": {"b": 1}}
    assert partial.final() == '{"a": {"b": 1}}'
    assert PartialCall().close() == "" and PartialCall().final() == "{}"


def test_a_signature_on_a_later_part_is_kept_and_the_first_one_wins() -> None:
    later = {"functionCall": {"partialArgs": [arg("$.x", numberValue=1)]}, "thoughtSignature": "b"}
    parts = parse([chunk(call(name="a", willContinue=True)), chunk(later), chunk(finish="STOP")])
    [done] = [p for p in parts if isinstance(p, ToolCall)]
    assert done.provider_metadata == {"google": {"thought_signature": "b", "host": "vertex"}}
    first = {"functionCall": {"name": "a", "willContinue": True}, "thoughtSignature": "a"}
    parts = parse([chunk(first), chunk(later), chunk(finish="STOP")])
    [done] = [p for p in parts if isinstance(p, ToolCall)]
    assert done.provider_metadata == {"google": {"thought_signature": "a", "host": "vertex"}}


def test_a_streaming_call_without_arguments_is_an_empty_object_without_deltas() -> None:
    parts = parse(
        [
            chunk(call(name="ping", willContinue=True)),
            chunk(call(partialArgs=[arg("bad path", stringValue="x"), {"jsonPath": "$.y"}])),
            chunk(finish="STOP"),
        ]
    )
    # As for a call that comes whole, its input is still one delta.
    assert parts[:-1] == [
        ToolInputStart("1", "ping"),
        ToolInputDelta("1", "{}"),
        ToolInputEnd("1"),
        ToolCall(tool_call_id="1", tool_name="ping", input="{}"),
    ]


def test_calls_that_do_not_stream_are_read_whole_as_before() -> None:
    parts = parse(
        [
            chunk(call(name="a", args={"k": 1}), call(args={"n": 2}), call(id="only-id")),
            chunk(finish="STOP"),
        ]
    )
    calls = [(p.tool_call_id, p.tool_name, p.input) for p in parts if isinstance(p, ToolCall)]
    assert calls == [("1", "a", '{"k": 1}'), ("2", "", '{"n": 2}'), ("only-id", "", "{}")]


def test_a_call_whole_in_one_part_with_partial_args_is_read_from_them() -> None:
    parts = parse(
        [chunk(call(name="a", partialArgs=[arg("$.x", numberValue=1)])), chunk(finish="STOP")]
    )
    assert parts[:-1] == [
        ToolInputStart("1", "a"),
        ToolInputDelta("1", '{"x": 1'),
        ToolInputDelta("1", "}"),
        ToolInputEnd("1"),
        ToolCall(tool_call_id="1", tool_name="a", input='{"x": 1}'),
    ]


def test_a_named_call_without_arguments_is_whole() -> None:
    parts = parse([chunk(call(name="ping")), chunk(finish="STOP")])
    assert parts[:-1] == [
        ToolInputStart("1", "ping"),
        ToolInputDelta("1", "{}"),
        ToolInputEnd("1"),
        ToolCall(tool_call_id="1", tool_name="ping", input="{}"),
    ]


@pytest.mark.parametrize(
    "first",
    [
        call(willContinue=True),
        call(partialArgs=[arg("$.x", numberValue=1)], willContinue=True),
        call(willContinue=True, id="", args={}),
    ],
)
def test_a_streaming_call_whose_name_never_came_is_still_one_call(first: dict[str, Any]) -> None:
    parts = parse(
        [chunk(first), chunk(call(partialArgs=[arg("$.y", numberValue=2)])), chunk(finish="STOP")]
    )
    calls = [p for p in parts if isinstance(p, ToolCall)]
    assert [(c.tool_call_id, c.tool_name) for c in calls] == [("1", "")]
    assert json.loads(calls[0].input) == {
        **({"x": 1} if "partialArgs" in first["functionCall"] else {}),
        "y": 2,
    }


def test_a_part_of_partial_args_alone_is_a_whole_call() -> None:
    parts = parse([chunk(call(partialArgs=[arg("$.z", boolValue=True)])), chunk(finish="STOP")])
    assert [(p.tool_name, p.input) for p in parts if isinstance(p, ToolCall)] == [
        ("", '{"z": true}')
    ]


def test_streaming_call_ids_come_from_the_providers_generator_by_name() -> None:
    parser = GeminiStreamParser([], "vertex", make_id_generator("tool_name", "vertex"))
    parts: list[Any] = []
    for data in [chunk(call(name="lookup", willContinue=True)), chunk(call(), finish="STOP")]:
        parts += parser.feed(ServerSentEvent(event="message", data=json.dumps(data)))
    parts += parser.finish()
    assert [p.tool_call_id for p in parts if isinstance(p, ToolCall)] == ["lookup"]


def test_a_nameless_start_ended_at_once_is_one_empty_call() -> None:
    parts = parse([chunk(call(willContinue=True)), chunk(call()), chunk(finish="STOP")])
    assert [(p.tool_name, p.input) for p in parts if isinstance(p, ToolCall)] == [("", "{}")]


def _run(*args: dict[str, Any]) -> tuple[list[str | None], str, str | None, dict[str, Any]]:
    partial = PartialCall()
    texts = [partial.add(a) for a in args]
    return texts, partial.close(), partial.final(), partial.args


def test_falsy_values_and_escapes_are_written() -> None:
    texts, closing, final, args = _run(
        arg("$.n", numberValue=0),
        arg("$.b", boolValue=False),
        arg("$.z", nullValue="NULL_VALUE"),
        arg('$["q\\"k"]', stringValue='say "hi"\\'),
        arg("$.f", numberValue=1.5),
    )
    assert texts == [
        '{"n": 0',
        ', "b": false',
        ', "z": null',
        ', "q\\"k": "say \\"hi\\"\\\\"',
        ', "f": 1.5',
    ]
    assert closing == "}" and final is None
    assert args == {"n": 0, "b": False, "z": None, 'q"k': 'say "hi"\\', "f": 1.5}


def test_a_string_ended_by_another_value_of_its_path_is_closed_first() -> None:
    texts, closing, final, args = _run(
        arg("$.s", True, stringValue="ab"), arg("$.s", numberValue=3)
    )
    assert texts == ['{"s": "ab', '", "s": 3']
    assert closing == "}"
    assert args == {"s": 3} and final == '{"s": 3}'


def test_nested_containers_close_in_order() -> None:
    texts, closing, final, args = _run(
        arg("$.a[0][1].b", True, stringValue="x"), arg("$.a[0][1].c", numberValue=1)
    )
    assert texts == ['{"a": [[{"b": "x', '", "c": 1']
    assert closing == "}]]}"
    assert args == {"a": [[None, {"b": "x", "c": 1}]]}
    assert final == '{"a": [[null, {"b": "x", "c": 1}]]}'  # index 0 never came


def test_paths_through_a_value_of_another_kind() -> None:
    _, _, final, args = _run(arg("$.a", numberValue=1), arg("$.a.b", numberValue=2))
    assert args == {"a": {"b": 2}} and final == '{"a": {"b": 2}}'
    _, _, _, args = _run(arg("$.a[0]", numberValue=1), arg("$.a.b", numberValue=2))
    assert args == {"a": [1]}  # a name inside a list: nothing to place
    _, _, _, args = _run(arg("$.a[0]", numberValue=1), arg("$.a[0].b", numberValue=2))
    assert args == {"a": [{"b": 2}]}
    _, _, _, args = _run(arg("$.a[1]", True, stringValue="p"), arg("$.a[1]", stringValue="q"))
    assert args == {"a": [None, "pq"]}
    _, _, _, args = _run(arg("$.a.b", numberValue=1), arg("$.a[0]", numberValue=2))
    assert args == {"a": {"b": 1, "0": 2}}


def test_text_outside_ascii_is_written_as_itself() -> None:
    texts, closing, final, _ = _run(
        arg("$.city", True, stringValue="Forl\u00ec"), arg("$.city", stringValue=" \u2713")
    )
    assert texts == ['{"city": "Forl\u00ec', ' \u2713"'] and closing == "}" and final is None


def test_whole_arguments_are_the_input_even_beside_partials() -> None:
    partial = PartialCall()
    partial.set_whole({"k": 1})
    assert partial.add(arg("$.k", numberValue=1)) == '{"k": 1'
    assert partial.close() == "}"
    assert partial.final() == '{"k": 1}'  # given whole: the input, whatever was written


def test_a_new_value_at_a_list_index_replaces_the_old_one() -> None:
    _, _, final, args = _run(arg("$.a[0]", stringValue="x"), arg("$.a[0]", stringValue="y"))
    assert args == {"a": ["y"]} and final == '{"a": ["y"]}'
    _, _, _, args = _run(arg("$.a", stringValue="x"), arg("$.a", stringValue="y"))
    assert args == {"a": "y"}


def test_after_close_the_next_value_starts_a_new_object() -> None:
    partial = PartialCall()
    partial.add(arg("$.s", True, stringValue="open"))
    assert partial.close() == '"}'
    assert partial.add(arg("$.t", numberValue=1)) == '{"t": 1'
    assert partial.add({"jsonPath": 5, "numberValue": 1}) is None
