// Drives an MCP server over stdio with the official TypeScript SDK
// (`@modelcontextprotocol/sdk`).
//
//     node client.mjs SESSION COMMAND [ARG...]
//
// COMMAND [ARG...] starts the server (for spec-mcp: `spec-mcp serve --root
// DIR`). SESSION is a JSON object:
//
//     {"calls": [{"tool": NAME, "arguments": {...}}, ...],
//      "drift": {"tool": NAME, "arguments": {...}, "pointer": [KEY, ...], "value": V}}
//
// The client connects with the SDK's own stdio transport, lists the tools,
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

import { readFileSync } from 'node:fs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

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

async function run(session, command, args) {
  const transport = new StdioClientTransport({ command, args, stderr: 'inherit' });
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
