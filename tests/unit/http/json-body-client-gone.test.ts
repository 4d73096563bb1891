import { createServer, request, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readJsonBody } from '../../../src/http/json-body';

describe('reading the body of a request whose client has gone', () => {
  test('fails at once, naming the problem, instead of waiting for an end that never comes', async () => {
    const server = createServer();
    const arrived = new Promise<IncomingMessage>((resolve) => server.once('request', resolve));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const client = request(`http://127.0.0.1:${port}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': '20' },
    });
    client.on('error', () => undefined);
    client.write('{"n":'); // part of the body, then the client goes away
    const req = await arrived;
    const closed = new Promise((resolve) => req.once('close', resolve));
    client.destroy();
    await closed;
    // The request waited its turn: nobody read it until after it closed.
    await expect(readJsonBody(req, 1024)).rejects.toThrow('Request body was not fully received');
    server.close();
  });
});
