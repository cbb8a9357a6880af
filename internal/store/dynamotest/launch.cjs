// Starts dynalite (an in-memory DynamoDB API server) on 127.0.0.1 and a free port, prints
// {"port": N} on stdout, and exits when its stdin closes (when the Go parent goes away).
'use strict';
const dynalite = require('dynalite');
const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
server.listen(0, '127.0.0.1', (err) => {
  if (err) {
    console.error(String(err));
    process.exit(1);
  }
  process.stdout.write(JSON.stringify({ port: server.address().port }) + '\n');
});
process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();
