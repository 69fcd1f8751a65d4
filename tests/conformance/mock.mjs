// A mock OpenAI- and Anthropic-compatible endpoint on 127.0.0.1 for the conformance suite.
//
// It records every request it receives (method, path, the `model` of a JSON body, the key from
// `Authorization: Bearer …` and from `x-api-key`) and answers:
//   POST …/chat/completions  a chat.completion (JSON) or, with `stream: true`, SSE
//                            chat.completion.chunk events ending in `data: [DONE]`;
//   POST …/responses         a Responses API answer (JSON, or SSE with `stream: true`);
//   POST …/messages          an Anthropic message (JSON, or SSE with `stream: true`);
//   CONNECT host:port        403: the CLI is given HTTPS_PROXY/HTTP_PROXY pointing here, so any
//                            other traffic ends here and is recorded instead of leaving the machine;
//   anything else            404, recorded.
// A request in absolute form (`POST http://host/path`, i.e. sent through the proxy) is recorded
// with `proxied: true` and answered the same way, by its path.
//
// Standalone use: `node mock.mjs [port]` prints the port and logs each request as a JSON line.

import http from 'node:http';

const TEXT = 'OK';

/** Starts a mock on 127.0.0.1 (port 0 = any free port). Resolves to { port, requests, close }. */
export function startMock({ port = 0, onRequest } = {}) {
  const requests = [];
  const sockets = new Set();
  const server = http.createServer((req, res) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size <= 8 * 1024 * 1024) chunks.push(c);
    });
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body = null;
      try {
        body = raw ? JSON.parse(raw) : null;
      } catch {
        body = null;
      }
      let path = req.url;
      let proxied = false;
      if (/^[a-z]+:\/\//i.test(path)) {
        proxied = true;
        try {
          const u = new URL(path);
          path = u.pathname + u.search;
        } catch {
          /* keep it as received */
        }
      }
      const auth = req.headers['authorization'];
      const bearer = typeof auth === 'string' && /^Bearer /i.test(auth) ? auth.slice(7) : null;
      const record = {
        method: req.method,
        path,
        url: req.url,
        host: req.headers['host'] ?? null,
        proxied,
        model: body && typeof body.model === 'string' ? body.model : null,
        stream: !!(body && body.stream),
        authorization: bearer,
        xApiKey: req.headers['x-api-key'] ?? null,
        time: Date.now(),
      };
      requests.push(record);
      onRequest?.(record);
      answer(req, res, path, body);
    });
    req.on('error', () => res.destroy());
  });
  // Proxy tunnels (HTTPS through HTTPS_PROXY): recorded and refused.
  server.on('connect', (req, socket) => {
    const record = {
      method: 'CONNECT',
      path: req.url,
      url: req.url,
      host: req.url,
      proxied: true,
      model: null,
      stream: false,
      authorization: null,
      xApiKey: null,
      time: Date.now(),
    };
    requests.push(record);
    onRequest?.(record);
    socket.on('error', () => {});
    socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.keepAliveTimeout = 1000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      resolve({
        port: server.address().port,
        requests,
        close: () =>
          new Promise((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}

function json(res, status, value) {
  const text = JSON.stringify(value);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

function sse(res, events) {
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'close',
  });
  for (const [event, data] of events) {
    if (event) res.write(`event: ${event}\n`);
    res.write(`data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`);
  }
  res.end();
}

function answer(req, res, path, body) {
  const pathname = path.split('?')[0];
  const model = (body && typeof body.model === 'string' && body.model) || 'mock-model';
  const created = Math.floor(Date.now() / 1000);
  if (req.method === 'POST' && pathname.endsWith('/chat/completions')) {
    const id = `chatcmpl-mock-${created}`;
    const usage = { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 };
    if (body && body.stream) {
      const chunk = (delta, finish, extra = {}) => ({
        id,
        object: 'chat.completion.chunk',
        created,
        model,
        choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
        ...extra,
      });
      return sse(res, [
        [null, chunk({ role: 'assistant', content: '' }, null)],
        [null, chunk({ content: TEXT }, null)],
        [null, chunk({}, 'stop')],
        [null, { id, object: 'chat.completion.chunk', created, model, choices: [], usage }],
        [null, '[DONE]'],
      ]);
    }
    return json(res, 200, {
      id,
      object: 'chat.completion',
      created,
      model,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: TEXT },
          finish_reason: 'stop',
          logprobs: null,
        },
      ],
      usage,
    });
  }
  if (req.method === 'POST' && pathname.endsWith('/responses')) {
    const id = `resp_mock_${created}`;
    const item = {
      id: `msg_mock_${created}`,
      type: 'message',
      status: 'completed',
      role: 'assistant',
      content: [{ type: 'output_text', text: TEXT, annotations: [] }],
    };
    const usage = { input_tokens: 5, output_tokens: 1, total_tokens: 6 };
    const response = (status, output) => ({
      id,
      object: 'response',
      created_at: created,
      status,
      model,
      output,
      usage: status === 'completed' ? usage : null,
    });
    if (body && body.stream) {
      return sse(res, [
        ['response.created', { type: 'response.created', response: response('in_progress', []) }],
        [
          'response.output_item.added',
          { type: 'response.output_item.added', output_index: 0, item: { ...item, status: 'in_progress', content: [] } },
        ],
        [
          'response.output_text.delta',
          { type: 'response.output_text.delta', item_id: item.id, output_index: 0, content_index: 0, delta: TEXT },
        ],
        [
          'response.output_item.done',
          { type: 'response.output_item.done', output_index: 0, item },
        ],
        ['response.completed', { type: 'response.completed', response: response('completed', [item]) }],
      ]);
    }
    return json(res, 200, response('completed', [item]));
  }
  if (req.method === 'POST' && pathname.endsWith('/messages')) {
    const id = `msg_mock_${created}`;
    const usage = { input_tokens: 5, output_tokens: 1 };
    if (body && body.stream) {
      return sse(res, [
        [
          'message_start',
          {
            type: 'message_start',
            message: {
              id,
              type: 'message',
              role: 'assistant',
              model,
              content: [],
              stop_reason: null,
              stop_sequence: null,
              usage: { input_tokens: 5, output_tokens: 0 },
            },
          },
        ],
        ['content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }],
        ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: TEXT } }],
        ['content_block_stop', { type: 'content_block_stop', index: 0 }],
        [
          'message_delta',
          { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 1 } },
        ],
        ['message_stop', { type: 'message_stop' }],
      ]);
    }
    return json(res, 200, {
      id,
      type: 'message',
      role: 'assistant',
      model,
      content: [{ type: 'text', text: TEXT }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage,
    });
  }
  return json(res, 404, { error: { message: `mock: no route for ${req.method} ${path}`, type: 'not_found' } });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const mock = await startMock({
    port: Number(process.argv[2] ?? 0),
    onRequest: (r) => console.log(JSON.stringify(r)),
  });
  console.log(`mock listening on 127.0.0.1:${mock.port}`);
}
