// The part of ClickHouse's HTTP interface Playlens uses (statements, JSONEachRow inserts and
// queries, /ping), served by chdb: the current ClickHouse engine embedded in Node. It lets the
// ClickHouse tests run against the current release where only Debian's 18.16 server is packaged.
//   node scripts/chdb-http.js PORT DATA_DIR     (needs `npm install chdb`; see clickhouse-current.sh)
// Requests run one at a time, in arrival order, on one chdb session.
'use strict';
const http = require('http');
const { Session } = require('chdb');
const port = Number(process.argv[2]);
const session = new Session(process.argv[3]);
http.createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  if (url.pathname === '/ping') { res.end('Ok.\n'); return; }
  const chunks = [];
  req.on('data', c => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    let sql = url.searchParams.get('query');
    sql = sql ? sql + '\n' + body : body;
    const db = url.searchParams.get('database') || req.headers['x-clickhouse-database'];
    const settings = [];
    for (const [k, v] of url.searchParams) {
      if (['output_format_json_quote_64bit_integers', 'max_execution_time', 'input_format_skip_unknown_fields'].includes(k)) settings.push(`${k} = ${v}`);
    }
    try {
      if (db) session.query(`CREATE DATABASE IF NOT EXISTS ${db}`, 'CSV');
      if (db) session.query(`USE ${db}`, 'CSV');
      if (settings.length) session.query(`SET ${settings.join(', ')}`, 'CSV');
      const out = session.query(sql, 'JSONEachRow');
      res.writeHead(200, {'X-ClickHouse-Summary': '{"written_rows":"0"}'});
      res.end(out == null ? '' : String(out));
    } catch (e) {
      const m = String(e && e.message || e);
      const code = (m.match(/Code: (\d+)/) || [0, 1000])[1];
      res.writeHead(500, {'X-ClickHouse-Exception-Code': code});
      res.end(m.startsWith('Code:') ? m : `Code: ${code}. DB::Exception: ${m}`);
      console.error('FAILED:', sql.slice(0, 120).replace(/\s+/g, ' '), '\n  ', m.slice(0, 1500));
    }
  });
}).listen(port, '127.0.0.1', () => console.log('shim on', port));
