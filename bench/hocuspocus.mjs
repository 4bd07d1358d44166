// Hocuspocus as its documentation deploys it on more than one instance: @hocuspocus/server with
// its Redis extension (instances relay to each other through Redis) and its Database extension
// storing each document's state in PostgreSQL, with the server's default store debounce
// (2 s, at most 10 s: it relays first and stores later). No authentication hook.
//
// Configured by the environment: PORT, REDIS_URL (redis://host:port/db), PG_URL (a database of
// its own; the table is created if missing), NAME (the instance's name in Redis).

import { Server } from '@hocuspocus/server'
import { Database } from '@hocuspocus/extension-database'
import { Redis } from '@hocuspocus/extension-redis'
import pg from 'pg'

const redisUrl = new URL(process.env.REDIS_URL || 'redis://127.0.0.1:6379/0')
// Connections stay open (no idle timeout), as they would on a busy deployment.
const pool = new pg.Pool({ connectionString: process.env.PG_URL, max: 10, idleTimeoutMillis: 0 })
await pool.query(
  'CREATE TABLE IF NOT EXISTS hocuspocus_documents (name text PRIMARY KEY, data bytea NOT NULL)'
)

const server = new Server({
  name: process.env.NAME || 'hocuspocus',
  address: '127.0.0.1',
  port: Number(process.env.PORT),
  quiet: true,
  extensions: [
    new Redis({
      host: redisUrl.hostname,
      port: Number(redisUrl.port || 6379),
      options: { db: Number(redisUrl.pathname.slice(1) || 0) },
      prefix: process.env.REDIS_PREFIX || 'hocuspocus'
    }),
    new Database({
      fetch: async ({ documentName }) => {
        const result = await pool.query(
          'SELECT data FROM hocuspocus_documents WHERE name = $1', [documentName]
        )
        return result.rows.length ? result.rows[0].data : null
      },
      store: async ({ documentName, state }) => {
        await pool.query(
          'INSERT INTO hocuspocus_documents (name, data) VALUES ($1, $2) ' +
            'ON CONFLICT (name) DO UPDATE SET data = EXCLUDED.data',
          [documentName, state]
        )
      }
    })
  ]
})

await server.listen()
process.stderr.write(`listening on ${server.address.port}\n`)
