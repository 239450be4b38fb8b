"""Drives an MCP server with the official Python SDK (`mcp`).

    python client.py SESSION COMMAND [ARG...]
    python client.py SESSION http://HOST:PORT/mcp
    python client.py SESSION sse:http://HOST:PORT/sse

COMMAND [ARG...] starts the server over stdio (for spec-mcp: `spec-mcp
serve --root DIR`); a URL connects to a running one with the SDK's
Streamable HTTP transport, and `sse:` and a URL with its legacy HTTP+SSE
transport. `SPEC_MCP_TOKEN`, when set, is sent as a bearer token.
SESSION is a JSON object:

    {"calls": [{"tool": NAME, "arguments": {...}}, ...],
     "drift": {"tool": NAME, "arguments": {...}, "pointer": [KEY, ...], "value": V},
     "prompts": [{"name": NAME, "arguments": {...}}, ...],
     "completions": [{"prompt": NAME, "argument": NAME, "value": TEXT, "context": {...}}, ...],
     "reads": [URI, ...]}

The client connects with the SDK's own transport, lists the tools,
makes each call in order, and prints one JSON object on stdout: what the
SDK negotiated and listed, and for each call its isError flag, content and
structured content, or the exception the SDK raised. A call the server
refuses with a tool error is a result, not an exception.

The SDK checks every non-error result against the tool's output schema in
`ClientSession.call_tool` (and lists the tools itself first if it has not),
so an answer that drifts from its schema shows up here as an exception.
`drift` proves that check runs: its call's answer is altered on the way in
(the value at `pointer` in the structured content is replaced by `value`),
and the SDK must reject it.

With `prompts`, the client also lists the prompts and gets each one named,
printing its description and messages, or the exception the SDK raised (a
refusal is a protocol error); with `completions`, it completes each prompt
argument and prints the values. `reads`, when given, lists the resources
(the first page) and reads each URI with `resources/read`; the transcript
then holds the listing and each read's contents or exception.
"""

from __future__ import annotations

import json
import sys
from importlib.metadata import version
from typing import Any

import os

import anyio
import mcp_types
from mcp import Client, Implementation, StdioServerParameters, stdio_client
from mcp.client.sse import sse_client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client
from mcp.shared.message import SessionMessage

CLIENT_NAME = "mcp-python-sdk"

# Bounds one request, so a server that stops answering fails the run with a
# message instead of hanging it.
READ_TIMEOUT_SECONDS = 30.0


class DriftingTransport:
    """The SDK's stdio transport, with a hook on the messages coming in."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.drift: dict[str, Any] | None = None

    async def __aenter__(self) -> tuple[Any, Any]:
        read_stream, write_stream = await self.inner.__aenter__()
        return DriftingReader(read_stream, self), write_stream

    async def __aexit__(self, *exc_info: Any) -> bool | None:
        return await self.inner.__aexit__(*exc_info)

    def apply(self, item: Any) -> Any:
        """Alters the next tool result after `drift` is set."""
        if self.drift is None or not isinstance(item, SessionMessage):
            return item
        message = item.message
        if not isinstance(message, mcp_types.JSONRPCResponse):
            return item
        structured = message.result.get("structuredContent")
        if not isinstance(structured, dict):
            return item
        *path, last = self.drift["pointer"]
        target = structured
        for key in path:
            target = target[key]
        target[last] = self.drift["value"]
        self.drift = None
        return item


class DriftingReader:
    """A read stream passing each message through `DriftingTransport.apply`."""

    def __init__(self, inner: Any, transport: DriftingTransport) -> None:
        self.inner = inner
        self.transport = transport

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    async def receive(self) -> Any:
        return self.transport.apply(await self.inner.receive())

    async def aclose(self) -> None:
        await self.inner.aclose()

    def __aiter__(self) -> DriftingReader:
        return self

    async def __anext__(self) -> Any:
        return self.transport.apply(await self.inner.__anext__())

    async def __aenter__(self) -> DriftingReader:
        await self.inner.__aenter__()
        return self

    async def __aexit__(self, *exc_info: Any) -> bool | None:
        return await self.inner.__aexit__(*exc_info)


def describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


async def call(client: Client, tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
    try:
        result = await client.call_tool(tool, arguments)
    except Exception as error:  # what the SDK raised is what the test checks
        return {"tool": tool, "is_error": None, "content": None, "structured": None, "exception": describe(error)}
    return {
        "tool": tool,
        "is_error": bool(result.is_error),
        "content": [block.model_dump(mode="json", by_alias=True, exclude_none=True) for block in result.content],
        "structured": result.structured_content,
        "exception": None,
    }


async def get_prompt(client: Client, name: str, arguments: dict[str, str]) -> dict[str, Any]:
    try:
        result = await client.get_prompt(name, arguments)
    except Exception as error:  # what the SDK raised is what the test checks
        return {"name": name, "description": None, "messages": None, "exception": describe(error)}
    return {
        "name": name,
        "description": result.description,
        "messages": [message.model_dump(mode="json", by_alias=True, exclude_none=True) for message in result.messages],
        "exception": None,
    }


async def read(client: Client, uri: str) -> dict[str, Any]:
    try:
        result = await client.read_resource(uri)
    except Exception as error:  # what the SDK raised is what the test checks
        return {"uri": uri, "contents": None, "exception": describe(error)}
    return {
        "uri": uri,
        "contents": [content.model_dump(mode="json", by_alias=True, exclude_none=True) for content in result.contents],
        "exception": None,
    }


async def complete(client: Client, step: dict[str, Any]) -> dict[str, Any]:
    try:
        result = await client.complete(
            mcp_types.PromptReference(type="ref/prompt", name=step["prompt"]),
            {"name": step["argument"], "value": step["value"]},
            step.get("context"),
        )
    except Exception as error:  # what the SDK raised is what the test checks
        return {"values": None, "exception": describe(error)}
    return {"values": result.completion.values, "exception": None}


def connect(target: str, args: list[str]) -> Any:
    """The SDK transport `target` names: a URL, `sse:` and a URL, or a command."""
    token = os.environ.get("SPEC_MCP_TOKEN")
    headers = {"Authorization": f"Bearer {token}"} if token else None
    if target.startswith("sse:"):
        return sse_client(target.removeprefix("sse:"), headers=headers)
    if target.startswith(("http://", "https://")):
        return streamable_http_client(target, http_client=create_mcp_http_client(headers=headers))
    return stdio_client(StdioServerParameters(command=target, args=args))


async def run(session: dict[str, Any], command: str, args: list[str]) -> dict[str, Any]:
    transport = DriftingTransport(connect(command, args))
    client = Client(
        transport,
        client_info=Implementation(name=CLIENT_NAME, version=version("mcp")),
        read_timeout_seconds=READ_TIMEOUT_SECONDS,
    )
    async with client:
        listed = await client.list_tools()
        server = client.server_info
        transcript: dict[str, Any] = {
            "sdk": {"name": "mcp", "version": version("mcp")},
            "protocol_version": client.protocol_version,
            "server": server.name if server else None,
            "tools": [tool.name for tool in listed.tools],
            "output_schemas": [tool.name for tool in listed.tools if tool.output_schema],
            "calls": [],
        }
        for step in session["calls"]:
            transcript["calls"].append(await call(client, step["tool"], step["arguments"]))
        if "prompts" in session:
            listed_prompts = await client.list_prompts()
            transcript["prompts_listed"] = [
                {"name": prompt.name, "arguments": [argument.name for argument in prompt.arguments or []]}
                for prompt in listed_prompts.prompts
            ]
            transcript["prompts"] = [
                await get_prompt(client, step["name"], step["arguments"]) for step in session["prompts"]
            ]
        if "completions" in session:
            transcript["completions"] = [await complete(client, step) for step in session["completions"]]
        reads = session.get("reads")
        if reads is not None:
            resources = await client.list_resources()
            transcript["resources"] = [
                resource.model_dump(mode="json", by_alias=True, exclude_none=True) for resource in resources.resources
            ]
            transcript["reads"] = [await read(client, uri) for uri in reads]
        drift = session.get("drift")
        if drift is not None:
            transport.drift = drift
            outcome = await call(client, drift["tool"], drift["arguments"])
            transcript["drift"] = {
                "rejected": outcome["exception"] is not None,
                "message": outcome["exception"],
                "applied": transport.drift is None,
            }
        return transcript


def main() -> None:
    if len(sys.argv) < 3:
        sys.exit("usage: client.py SESSION COMMAND [ARG...]")
    session = json.loads(sys.argv[1])
    transcript = anyio.run(run, session, sys.argv[2], sys.argv[3:])
    json.dump(transcript, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
