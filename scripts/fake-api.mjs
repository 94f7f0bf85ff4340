/**
 * A scripted stand-in for the Anthropic Messages API (the real model cannot be reached here), for the
 * e2e tests, the session benchmark and demos. It serves `POST /v1/messages` as Server-Sent Events on
 * 127.0.0.1, decides what the "model" does from a script, and records every request body and every
 * usage figure it sent, so a caller can compare what the plugin measured with what the server reported.
 * Types: fake-api.d.mts.
 *
 * Scripts are stateless: a request's step is the number of assistant turns already in its
 * conversation, so a retried request gets the same answer and subagents can run in parallel.
 */
import { createServer } from 'node:http';

/** The first user message's text: where Claude Code puts the prompt given to an agent. */
function firstUserText(body) {
  const first = body.messages.find((m) => m.role === 'user');
  return first ? JSON.stringify(first.content) : '';
}

function sse(res, event, data) {
  res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

function streamTurn(res, body, served, turn) {
  const usage = {
    input_tokens: turn.usage.input_tokens,
    output_tokens: turn.usage.output_tokens,
    cache_creation_input_tokens: turn.usage.cache_creation_input_tokens ?? 0,
    cache_read_input_tokens: turn.usage.cache_read_input_tokens ?? 0,
    ...(turn.usage.cache_creation ? { cache_creation: turn.usage.cache_creation } : {}),
    ...(turn.usage.speed ? { speed: turn.usage.speed } : {}),
  };
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  sse(res, 'message_start', {
    type: 'message_start',
    message: {
      id: served.messageId,
      type: 'message',
      role: 'assistant',
      model: body.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      // As the real API does: the final output count arrives in message_delta.
      usage: { ...usage, output_tokens: 1 },
    },
  });
  let index = 0;
  if (turn.text !== undefined) {
    sse(res, 'content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
    sse(res, 'content_block_delta', { type: 'content_block_delta', index, delta: { type: 'text_delta', text: turn.text } });
    sse(res, 'content_block_stop', { type: 'content_block_stop', index });
    index++;
  }
  (turn.tools ?? []).forEach((call, i) => {
    const id = served.toolUseIds[i];
    sse(res, 'content_block_start', { type: 'content_block_start', index, content_block: { type: 'tool_use', id, name: call.name, input: {} } });
    sse(res, 'content_block_delta', {
      type: 'content_block_delta',
      index,
      delta: { type: 'input_json_delta', partial_json: JSON.stringify(call.input) },
    });
    sse(res, 'content_block_stop', { type: 'content_block_stop', index });
    index++;
  });
  sse(res, 'message_delta', {
    type: 'message_delta',
    delta: { stop_reason: turn.tools?.length ? 'tool_use' : 'end_turn', stop_sequence: null },
    usage,
  });
  sse(res, 'message_stop', { type: 'message_stop' });
  res.end();
}

/** A request no script claims (or a step past a script's end): a short answer, flagged as unscripted. */
const UNSCRIPTED = { text: 'unscripted', usage: { input_tokens: 0, output_tokens: 0 } };

export async function startFakeApi(scripts, opts = {}) {
  const requests = [];
  let counter = 0;
  const label = opts.label ?? 'e2e';

  const handle = async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const raw = Buffer.concat(chunks).toString('utf8');
    const path = req.url ?? '/';
    let body = null;
    try {
      body = raw ? JSON.parse(raw) : null;
    } catch {
      body = null;
    }
    const record = { path, body, served: null };
    requests.push(record);

    if (req.method === 'POST' && path.startsWith('/v1/messages/count_tokens')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ input_tokens: 100 }));
      return;
    }
    if (req.method !== 'POST' || !path.startsWith('/v1/messages') || !body?.messages) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ type: 'error', error: { type: 'not_found_error', message: `fake API: no ${req.method} ${path}` } }));
      return;
    }
    const text = firstUserText(body);
    const script = scripts.find((s) => text.includes(s.marker));
    const step = body.messages.filter((m) => m.role === 'assistant').length;
    const turn = script?.turns[step];
    const n = ++counter;
    if (!script || !turn) {
      streamTurn(res, body, { script: '?', step, messageId: `msg_${label}_x${n}`, usage: UNSCRIPTED.usage, toolUseIds: [] }, UNSCRIPTED);
      return;
    }
    const served = {
      script: script.name,
      step,
      messageId: `msg_${label}_${n}`,
      usage: turn.usage,
      toolUseIds: (turn.tools ?? []).map((_, i) => `toolu_${label}_${n}_${i}`),
    };
    record.served = served;
    streamTurn(res, body, served, turn);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      res.writeHead(500);
      res.end(String(err));
    });
  });
  await new Promise((ready) => server.listen(0, '127.0.0.1', ready));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    served: () => requests.flatMap((r) => (r.served ? [r.served] : [])),
    close: () =>
      new Promise((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

/** The text of the tool_result the CLI sent back for a tool use id, or null if it never did. */
export function toolResultText(requests, toolUseId) {
  for (const r of requests) {
    for (const m of r.body?.messages ?? []) {
      if (m.role !== 'user' || typeof m.content === 'string') continue;
      for (const block of m.content) {
        if (block.type === 'tool_result' && block.tool_use_id === toolUseId) {
          const c = block.content;
          return typeof c === 'string' ? c : c.map((part) => part.text ?? '').join('\n');
        }
      }
    }
  }
  return null;
}
