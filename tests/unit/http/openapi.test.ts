import { z } from 'zod';
import { buildOpenApiDocument, openApiPath } from '../../../src/http/openapi';
import { defineRoute } from '../../../src/http/route';
import { send, startTestService, type TestService } from './test-service';
import { testRoutes } from './test-routes';

let service: TestService;
let document: Record<string, unknown>;

type Json = Record<string, unknown>;
const at = (value: unknown, ...keys: string[]): unknown =>
  keys.reduce<unknown>((node, key) => (node as Json | undefined)?.[key], value);

beforeAll(async () => {
  service = await startTestService({ routes: testRoutes() });
  const reply = await send(service.url('/openapi.json'));
  expect(reply.status).toBe(200);
  document = reply.body as Json;
});

afterAll(async () => {
  await service.server.close(1000);
});

describe('GET /openapi.json', () => {
  it('is an OpenAPI 3.1 document titled after the service', () => {
    expect(document.openapi).toBe('3.1.0');
    expect(document.info).toEqual({ title: 'test-service', version: '1.2.3' });
  });

  it('writes path templates with {param} and documents path parameters from the params schema', () => {
    const operation = at(document, 'paths', '/api/customers/{customerId}', 'get') as Json;
    expect(operation.operationId).toBe('getCustomer');
    expect(operation.tags).toEqual(['Customer']);
    expect(operation.parameters).toEqual([
      expect.objectContaining({
        name: 'customerId',
        in: 'path',
        required: true,
        schema: expect.objectContaining({ type: 'string', format: 'uuid' }),
      }),
    ]);
    expect(at(document, 'paths', '/api/customers/:customerId')).toBeUndefined();
  });

  it('documents query parameters with their defaults, as optional', () => {
    const [limit] = at(document, 'paths', '/api/customers', 'get', 'parameters') as Json[];
    expect(limit).toMatchObject({
      name: 'limit',
      in: 'query',
      required: false,
      schema: { type: 'integer', minimum: 1, default: 20 },
    });
  });

  it('documents the request body from the same zod schema that validates it', () => {
    const requestBody = at(document, 'paths', '/api/customers', 'post', 'requestBody') as Json;
    expect(requestBody.required).toBe(true);
    const schema = at(requestBody, 'content', 'application/json', 'schema') as Json;
    expect(schema).toMatchObject({
      type: 'object',
      required: ['email', 'name', 'tier', 'lineItems'],
      properties: {
        email: { type: 'string', format: 'email' },
        tier: { type: 'string', enum: ['BASIC', 'GOLD'] },
        lineItems: { type: 'array', minItems: 1 },
      },
    });
  });

  it('documents declared responses and points error responses at the shared ErrorBody', () => {
    const responses = at(document, 'paths', '/api/customers/{customerId}', 'get', 'responses') as Json;
    expect(at(responses, '200', 'content', 'application/json', 'schema')).toMatchObject({
      type: 'object',
      properties: { customerId: { type: 'string' }, email: { type: 'string' } },
    });
    const errorRef = { $ref: '#/components/schemas/ErrorBody' };
    for (const status of ['400', '404', '500', '503']) {
      expect(at(responses, status, 'content', 'application/json', 'schema')).toEqual(errorRef);
    }
    expect(at(document, 'paths', '/api/customers', 'post', 'responses', '413')).toBeDefined();
  });

  it('publishes the error body schema as a component', () => {
    expect(at(document, 'components', 'schemas', 'ErrorBody')).toMatchObject({
      type: 'object',
      required: ['message', 'errorCode', 'timestamp', 'details'],
      properties: { timestamp: { type: 'string', format: 'date-time' } },
    });
  });

  it('documents the operational endpoints too', () => {
    for (const path of ['/actuator/health', '/health/live', '/health/ready', '/metrics', '/openapi.json']) {
      expect(at(document, 'paths', path, 'get')).toBeDefined();
    }
  });
});

describe('buildOpenApiDocument', () => {
  it('converts every :param of a template', () => {
    expect(openApiPath('/api/orders/:orderId/lines/:lineNo')).toBe('/api/orders/{orderId}/lines/{lineNo}');
  });

  it('moves named (meta id) schemas to components and refers to them', () => {
    const Address = z.object({ city: z.string() }).meta({ id: 'TestAddress' });
    const route = defineRoute({
      method: 'PUT',
      path: '/api/addresses/:addressId',
      operationId: 'putAddress',
      summary: 'Replace an address',
      body: z.object({ home: Address, work: Address.optional() }),
      responses: { 200: { description: 'Stored', schema: Address } },
      handler: async () => ({ status: 200 }),
    });
    const built = buildOpenApiDocument({ title: 't', version: '1' }, [route]);
    expect(JSON.stringify(built)).not.toContain('$defs');
    const put = built.paths['/api/addresses/{addressId}']?.put;
    expect(at(put, 'responses', '200', 'content', 'application/json', 'schema')).toEqual({
      $ref: '#/components/schemas/TestAddress',
    });
    // Output objects forbid extra keys and inputs tolerate them, so the input form gets its own name.
    expect(at(put, 'requestBody', 'content', 'application/json', 'schema', 'properties', 'home')).toEqual({
      $ref: '#/components/schemas/TestAddressInput',
    });
    expect(built.components.schemas.TestAddress).toMatchObject({
      required: ['city'],
      additionalProperties: false,
    });
    expect(built.components.schemas.TestAddressInput).toEqual({
      type: 'object',
      properties: { city: { type: 'string' } },
      required: ['city'],
    });
    // No params schema: the path parameter is still documented, as a string.
    expect(at(put, 'parameters')).toEqual([
      { name: 'addressId', in: 'path', required: true, schema: { type: 'string' } },
    ]);
  });
});
