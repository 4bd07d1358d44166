// Load generator of real y-websocket clients (the npm WebsocketProvider on Node's `ws`).
//
// Reads a JSON job on stdin, prints one JSON result on stdout. Two modes:
//
// "type": per room one typist and one watcher. The typist appends a numbered marker to the
//   room's Y.Text `rate` times a second; the watcher's Y.Text observer records when each marker
//   arrives (keystroke-to-screen latency). After typing stops it waits for the watchers to
//   catch up, then reports every latency, the markers sent/seen, and whether watcher and typist
//   hold the same text (with its SHA-256, for the caller to compare against stored state).
//
// "join": `joins` times in a row, a fresh client connects to one room and is timed from
//   opening the connection until the provider reports the first sync complete.
//
// The same generator drives every server: only the URLs differ, and the client library: the
// npm y-websocket provider, or `@hocuspocus/provider` for a client of `"kind": "hocuspocus"`.

import { createHash } from 'node:crypto'
import { monitorEventLoopDelay, performance } from 'node:perf_hooks'
import { readFileSync } from 'node:fs'
import WebSocket from 'ws'
import { HocuspocusProvider } from '@hocuspocus/provider'
import { WebsocketProvider } from 'y-websocket'
import * as Y from 'yjs'

process.setMaxListeners(0) // every provider listens for 'exit'
const job = JSON.parse(readFileSync(0, 'utf8'))
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

// A WebSocket that sends the Origin a browser would (servers check it against their hosts).
class BrowserLikeWebSocket extends WebSocket {
  constructor (url, protocols) {
    super(url, protocols, { origin: job.origin, perMessageDeflate: false })
  }
}

function openClient (client, doc) {
  if (client.kind === 'hocuspocus') {
    return new HocuspocusProvider({
      url: client.server,
      name: client.room,
      document: doc,
      WebSocketPolyfill: BrowserLikeWebSocket,
      maxDelay: 1000
    })
  }
  return new WebsocketProvider(client.server, client.room, doc, {
    WebSocketPolyfill: BrowserLikeWebSocket,
    params: client.params || {},
    disableBc: true, // same-process clients must talk through the server, not to each other
    maxBackoffTime: 1000
  })
}

function synced (provider, timeoutMs) {
  return new Promise((resolve, reject) => {
    if (provider.synced) return resolve()
    const timer = setTimeout(() => reject(new Error(`no sync within ${timeoutMs} ms`)), timeoutMs)
    const done = (isSynced) => {
      if (isSynced) {
        clearTimeout(timer)
        resolve()
      }
    }
    if (provider instanceof HocuspocusProvider) provider.on('synced', ({ state }) => done(state))
    else provider.on('sync', done)
  })
}

const MARKER = /<(\d+)>/g

async function runTyping () {
  const rooms = job.rooms.map((room) => {
    const typistDoc = new Y.Doc()
    const watcherDoc = new Y.Doc()
    const state = {
      room,
      typistDoc,
      watcherDoc,
      typistText: typistDoc.getText(room.text),
      watcherText: watcherDoc.getText(room.text),
      sentAt: new Map(),
      seen: new Set(),
      duplicates: 0,
      latencies: []
    }
    state.watcherText.observe((event) => {
      const now = performance.now()
      for (const op of event.delta) {
        if (typeof op.insert !== 'string') continue
        for (const match of op.insert.matchAll(MARKER)) {
          const seq = Number(match[1])
          const sent = state.sentAt.get(seq)
          if (sent === undefined) continue
          if (state.seen.has(seq)) {
            state.duplicates++
            continue
          }
          state.seen.add(seq)
          state.latencies.push(now - sent)
        }
      }
    })
    return state
  })

  // Connect a few clients at a time, as users arriving would; wait for every first sync.
  const connectStart = performance.now()
  const clients = rooms.flatMap((state) => [
    [state, 'typist', state.room.typist, state.typistDoc],
    [state, 'watcher', state.room.watcher, state.watcherDoc]
  ])
  for (let i = 0; i < clients.length; i += job.connect_batch) {
    await Promise.all(clients.slice(i, i + job.connect_batch).map(([state, role, client, doc]) => {
      state[role] = openClient(client, doc)
      return synced(state[role], job.connect_timeout_s * 1000)
    }))
  }
  const connectSeconds = (performance.now() - connectStart) / 1000
  process.stderr.write(`connected ${clients.length} clients in ${connectSeconds.toFixed(1)} s\n`)

  // Tell the caller everyone is connected (it samples server memory now), then type.
  if (job.ready_file) {
    const { writeFileSync } = await import('node:fs')
    writeFileSync(job.ready_file, 'ready')
  }
  const lag = monitorEventLoopDelay({ resolution: 10 })
  lag.enable()
  const cpuBefore = process.cpuUsage()
  const typingStart = performance.now()
  const periodMs = 1000 / job.rate
  const stopAt = typingStart + job.duration_s * 1000
  const timers = rooms.map((state) => {
    let seq = 0
    const type = () => {
      if (performance.now() >= stopAt) return
      seq++
      state.sentAt.set(seq, performance.now())
      state.typistText.insert(state.typistText.length, `<${seq}>`)
    }
    // Rooms start at random phases, as independent typists would.
    return setTimeout(() => {
      type()
      state.interval = setInterval(type, periodMs)
    }, Math.random() * periodMs)
  })
  await sleep(job.duration_s * 1000)
  for (const state of rooms) clearInterval(state.interval)
  timers.forEach(clearTimeout)
  const typingSeconds = (performance.now() - typingStart) / 1000
  const cpu = process.cpuUsage(cpuBefore)
  lag.disable()

  // Wait for the watchers to catch up (or give up after settle_s).
  const settleStart = performance.now()
  const allSeen = () => rooms.every((s) => s.seen.size === s.sentAt.size)
  const converged = (s) => s.watcherText.toString() === s.typistText.toString()
  while (performance.now() - settleStart < job.settle_s * 1000) {
    if (allSeen() && rooms.every(converged)) break
    await sleep(100)
  }

  const result = {
    mode: 'type',
    connect_s: connectSeconds,
    typing_s: typingSeconds,
    generator_cpu_s: (cpu.user + cpu.system) / 1e6,
    generator_loop_lag_p99_ms: lag.percentile(99) / 1e6,
    rooms: rooms.map((s) => ({
      room: s.room.room,
      text: s.room.text,
      sent: s.sentAt.size,
      seen: s.seen.size,
      duplicates: s.duplicates,
      converged: converged(s),
      sha256: createHash('sha256').update(s.typistText.toString()).digest('hex'),
      latencies: s.latencies.map((ms) => Math.round(ms * 1000) / 1000)
    }))
  }
  for (const state of rooms) {
    state.typist.destroy()
    state.watcher.destroy()
  }
  return result
}

async function runJoin () {
  // The generator warms itself up first, so that the first join times the server, not a cold
  // Node: it decodes a document of the room's size, and joins a small room once, untimed.
  // Decoded from a plain Uint8Array, as the provider does: warmed on a Buffer (a subclass), V8
  // took the first real decodes of the same bytes at 9-21 ms against 4-7 ms after, a first join
  // slower for every server alike. V8 needs about ten decodes to settle.
  if (job.warmup_update) {
    const update = Uint8Array.from(Buffer.from(job.warmup_update, 'base64'))
    for (let i = 0; i < 12; i++) {
      const doc = new Y.Doc()
      Y.applyUpdate(doc, update)
      Y.encodeStateAsUpdate(doc)
      doc.destroy()
    }
  }
  if (job.warmup_client) {
    const doc = new Y.Doc()
    const provider = openClient(job.warmup_client, doc)
    await synced(provider, job.connect_timeout_s * 1000)
    provider.destroy()
    doc.destroy()
    await sleep(job.pause_ms)
  }
  // Optionally load the room first (the reference server keeps it in memory from then on).
  let holder = null
  if (job.seed_update) {
    const doc = new Y.Doc()
    Y.applyUpdate(doc, Buffer.from(job.seed_update, 'base64'))
    holder = openClient(job.holder, doc)
    await synced(holder, job.connect_timeout_s * 1000)
    await sleep(500) // let the server apply what the holder sent
  } else if (job.holder) {
    holder = openClient(job.holder, new Y.Doc())
    await synced(holder, job.connect_timeout_s * 1000)
  }
  const times = []
  const received = [] // when the document arrived, before the client decoded it
  let length = -1
  for (let i = 0; i < job.joins; i++) {
    const doc = new Y.Doc()
    const start = performance.now()
    const provider = openClient(job.client, doc)
    // Ahead of the provider's own listener: the moment the frame is in, not once applied.
    const arrived = (data) => {
      const bytes = new Uint8Array(data)
      if (bytes[0] === 0 && bytes[1] === 1) { // sync step 2: the document
        received.push(performance.now() - start)
        provider.ws.off('message', arrived)
      }
    }
    provider.ws.prependListener('message', arrived)
    await synced(provider, job.connect_timeout_s * 1000)
    times.push(performance.now() - start)
    length = doc.getText(job.text).length
    provider.destroy()
    doc.destroy()
    await sleep(job.pause_ms)
  }
  if (holder) holder.destroy()
  return { mode: 'join', times, received, text_length: length }
}

const result = job.mode === 'join' ? await runJoin() : await runTyping()
// Exit only once stdout is flushed: writes to a pipe are asynchronous.
process.stdout.write(JSON.stringify(result), () => process.exit(0))
