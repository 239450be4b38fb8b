// Drives an MCP server with the official TypeScript SDK
// (`@modelcontextprotocol/sdk`).
//
//     node client.mjs SESSION COMMAND [ARG...]
//     node client.mjs SESSION http://HOST:PORT/mcp
//     node client.mjs SESSION sse:http://HOST:PORT/sse
//
// COMMAND [ARG...] starts the server over stdio (for spec-mcp: `spec-mcp
// serve --root DIR`); a URL connects to a running one with the SDK's
// Streamable HTTP transport, and `sse:` and a URL with its legacy HTTP+SSE
// transport. `SPEC_MCP_TOKEN`, when set, is sent as a bearer token.
// SESSION is a JSON object:
//
//     {"calls": [{"tool": NAME, "arguments": {...}}, ...],
//      "drift": {"tool": NAME, "arguments": {...}, "pointer": [KEY, ...], "value": V},
//      "prompts": [{"name": NAME, "arguments": {...}}, ...],
//      "completions": [{"prompt": NAME, "argument": NAME, "value": TEXT, "context": {...}}, ...]}
//
// The client connects with the SDK's own transport, lists the tools,
// makes each call in order, and prints one JSON object on stdout: what the
// SDK negotiated and listed, and for each call its isError flag, content and
// structured content, or the error the SDK threw. A call the server refuses
// with a tool error is a result, not an exception.
//
// `Client.callTool` checks structured content against the tool's output
// schema only for tools whose schema it cached from `listTools`, so the
// tools are listed before any call: then an answer that drifts from its
// schema shows up here as an exception. `drift` proves that check runs: its
// call's answer is altered on the way in (the value at `pointer` in the
// structured content is replaced by `value`), and the SDK must reject it.
//
// With `prompts`, the client also lists the prompts and gets each one named,
// printing its description and messages, or the error the SDK threw (a
// refusal is a protocol error); with `completions`, it completes each prompt
// argument and prints the values.

import { readFileSync } from 'node:fs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const CLIENT_NAME = 'mcp-typescript-sdk';

// Bounds one request, so a server that stops answering fails the run with a
// message instead of hanging it.
const REQUEST_TIMEOUT_MS = 30_000;

const sdkVersion = JSON.parse(
  readFileSync(new URL('./node_modules/@modelcontextprotocol/sdk/package.json', import.meta.url), 'utf8'),
).version;

function describe(error) {
  return `${error?.name ?? 'Error'}: ${error?.message ?? String(error)}`;
}

async function call(client, tool, args) {
  try {
    const result = await client.callTool({ name: tool, arguments: args }, undefined, {
      timeout: REQUEST_TIMEOUT_MS,
    });
    return {
      tool,
      is_error: result.isError === true,
      content: result.content,
      structured: result.structuredContent ?? null,
      exception: null,
    };
  } catch (error) {
    // What the SDK threw is what the test checks.
    return { tool, is_error: null, content: null, structured: null, exception: describe(error) };
  }
}

async function getPrompt(client, name, args) {
  try {
    const result = await client.getPrompt({ name, arguments: args }, { timeout: REQUEST_TIMEOUT_MS });
    return { name, description: result.description ?? null, messages: result.messages, exception: null };
  } catch (error) {
    return { name, description: null, messages: null, exception: describe(error) };
  }
}

async function complete(client, step) {
  try {
    const params = {
      ref: { type: 'ref/prompt', name: step.prompt },
      argument: { name: step.argument, value: step.value },
    };
    if (step.context) {
      params.context = { arguments: step.context };
    }
    const result = await client.complete(params, { timeout: REQUEST_TIMEOUT_MS });
    return { values: result.completion.values, exception: null };
  } catch (error) {
    return { values: null, exception: describe(error) };
  }
}

// The SDK transport `target` names: a URL, `sse:` and a URL, or a command.
function connect(target, args) {
  const token = process.env.SPEC_MCP_TOKEN;
  const requestInit = token ? { headers: { Authorization: `Bearer ${token}` } } : undefined;
  if (target.startsWith('sse:')) {
    const url = new URL(target.slice('sse:'.length));
    // The event stream is a GET of its own: it needs the token too.
    const eventSourceInit = token
      ? { fetch: (input, init) => fetch(input, { ...init, headers: { ...init?.headers, Authorization: `Bearer ${token}` } }) }
      : undefined;
    return new SSEClientTransport(url, { requestInit, eventSourceInit });
  }
  if (target.startsWith('http://') || target.startsWith('https://')) {
    return new StreamableHTTPClientTransport(new URL(target), { requestInit });
  }
  return new StdioClientTransport({ command: target, args, stderr: 'inherit' });
}

async function run(session, command, args) {
  const transport = connect(command, args);
  // The SDK hands the negotiated version to transports that take it.
  let protocolVersion = null;
  transport.setProtocolVersion = (version) => {
    protocolVersion = version;
  };
  const client = new Client({ name: CLIENT_NAME, version: sdkVersion });
  await client.connect(transport, { timeout: REQUEST_TIMEOUT_MS });

  // Every message from the server goes through here once connected.
  let drift = null;
  const deliver = transport.onmessage;
  transport.onmessage = (message, extra) => {
    const structured = message?.result?.structuredContent;
    if (drift !== null && structured !== null && typeof structured === 'object') {
      const path = drift.pointer.slice(0, -1);
      const last = drift.pointer[drift.pointer.length - 1];
      let target = structured;
      for (const key of path) {
        target = target[key];
      }
      target[last] = drift.value;
      drift = null;
    }
    deliver(message, extra);
  };

  try {
    const { tools } = await client.listTools(undefined, { timeout: REQUEST_TIMEOUT_MS });
    const transcript = {
      sdk: { name: '@modelcontextprotocol/sdk', version: sdkVersion },
      protocol_version: protocolVersion,
      server: client.getServerVersion()?.name ?? null,
      tools: tools.map((tool) => tool.name),
      output_schemas: tools.filter((tool) => tool.outputSchema).map((tool) => tool.name),
      calls: [],
    };
    for (const step of session.calls) {
      transcript.calls.push(await call(client, step.tool, step.arguments));
    }
    if (session.prompts) {
      const { prompts } = await client.listPrompts(undefined, { timeout: REQUEST_TIMEOUT_MS });
      transcript.prompts_listed = prompts.map((prompt) => ({
        name: prompt.name,
        arguments: (prompt.arguments ?? []).map((argument) => argument.name),
      }));
      transcript.prompts = [];
      for (const step of session.prompts) {
        transcript.prompts.push(await getPrompt(client, step.name, step.arguments));
      }
    }
    if (session.completions) {
      transcript.completions = [];
      for (const step of session.completions) {
        transcript.completions.push(await complete(client, step));
      }
    }
    if (session.drift) {
      drift = session.drift;
      const outcome = await call(client, session.drift.tool, session.drift.arguments);
      transcript.drift = {
        rejected: outcome.exception !== null,
        message: outcome.exception,
        applied: drift === null,
      };
    }
    return transcript;
  } finally {
    await client.close();
  }
}

const [sessionText, command, ...args] = process.argv.slice(2);
if (command === undefined) {
  console.error('usage: client.mjs SESSION COMMAND [ARG...]');
  process.exit(2);
}
const transcript = await run(JSON.parse(sessionText), command, args);
process.stdout.write(`${JSON.stringify(transcript)}\n`);
