// Drives Envoy's ShouldRateLimit at several rate limit services at once, through the
// independent gRPC client of rls_client.mjs, and prints how the calls were answered as one
// JSON line: {"ok":n,"over_limit":n,"other":n,"errors":["..."]}.
//
// Usage: node rls_storm.mjs <host:port,host:port,...> <api key> <type> <calls> <in flight>
// The calls go to the addresses in turn, `in flight` of them outstanding at any moment.

import { descriptor, RlsClient } from './rls_client.mjs';

const [addresses, apiKey, type, calls, inFlight] = process.argv.slice(2);
const clients = addresses.split(',').map((address) => new RlsClient(address));
const tally = { ok: 0, over_limit: 0, other: 0, errors: [] };

let next = 0;
async function worker() {
  while (next < Number(calls)) {
    const client = clients[next++ % clients.length];
    try {
      const { response } = await client.call({
        domain: 'gaia',
        descriptors: [descriptor({ api_key: apiKey, type })],
      });
      if (response.overall_code === 'OK') tally.ok++;
      else if (response.overall_code === 'OVER_LIMIT') tally.over_limit++;
      else tally.other++;
    } catch (err) {
      tally.other++;
      if (tally.errors.length < 5) tally.errors.push(String(err.message));
    }
  }
}

await Promise.all(Array.from({ length: Number(inFlight) }, worker));
for (const client of clients) client.close();
console.log(JSON.stringify(tally));
