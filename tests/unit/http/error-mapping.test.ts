import { ClientOfflineError, OperationTimeoutError, TargetDisconnectedError } from 'hazelcast-client';
import { ManualClock } from '../../../src/core/clock';
import { ContentionError } from '../../../src/eventsourcing/aggregate-repository';
import { conflict as domainConflict, DomainError } from '../../../src/eventsourcing/domain-error';
import { ApiError, invalidArgument, notFound } from '../../../src/http/api-error';
import { errorBody, errorBodySchema } from '../../../src/http/error-body';
import { toApiError } from '../../../src/http/error-mapping';

describe('toApiError', () => {
  it('passes ApiErrors through', () => {
    const error = notFound('CUSTOMER_NOT_FOUND', 'Customer c-1 not found');
    expect(toApiError(error)).toBe(error);
  });

  it.each([
    ['not-found', 404],
    ['conflict', 409],
    ['invalid', 400],
    ['unprocessable', 422],
  ] as const)('maps a %s DomainError to %i with its code and details', (kind, status) => {
    const mapped = toApiError(new DomainError(kind, 'SOME_CODE', 'said no', { id: 'x' }));
    expect(mapped).toMatchObject({
      status,
      errorCode: 'SOME_CODE',
      message: 'said no',
      details: { id: 'x' },
    });
  });

  it('keeps the details of a domain conflict', () => {
    const details = { id: 'o-1', currentStatus: 'CANCELLED', requestedOperation: 'confirm' };
    expect(toApiError(domainConflict('INVALID_ORDER_STATE', 'Order is CANCELLED', details))).toMatchObject({
      status: 409,
      details,
    });
  });

  it.each([
    new OperationTimeoutError('timed out'),
    new ClientOfflineError(),
    new TargetDisconnectedError('gone'),
    new Error('write failed', { cause: new OperationTimeoutError('timed out') }),
    new ContentionError('order', 'o-1', 100),
  ])('maps Hazelcast unavailability and give-up contention (%p) to 503 SERVICE_UNAVAILABLE', (error) => {
    expect(toApiError(error)).toMatchObject({ status: 503, errorCode: 'SERVICE_UNAVAILABLE' });
  });

  it('leaves unknown errors unmapped, so they become a logged 500', () => {
    expect(toApiError(new Error('bug'))).toBeUndefined();
    expect(toApiError('a string')).toBeUndefined();
    expect(toApiError(Object.assign(new Error('hidden'), { status: 400, expose: false }))).toBeUndefined();
  });

  it('maps an exposed 4xx http-error', () => {
    const error = Object.assign(new Error('Bad thing'), { status: 400, expose: true });
    expect(toApiError(error)).toMatchObject({
      status: 400,
      errorCode: 'INVALID_ARGUMENT',
      message: 'Bad thing',
    });
  });
});

describe('errorBody', () => {
  it('has exactly the contract fields, timestamped by the injected clock', () => {
    const body = errorBody(
      invalidArgument('bad', { field: 'x' }),
      new ManualClock(Date.UTC(2026, 4, 17, 8, 30)),
    );
    expect(body).toEqual({
      message: 'bad',
      errorCode: 'INVALID_ARGUMENT',
      timestamp: '2026-05-17T08:30:00.000Z',
      details: { field: 'x' },
    });
    expect(errorBodySchema.parse(body)).toEqual(body);
  });

  it('writes null details when there are none', () => {
    expect(errorBody(new ApiError(500, 'INTERNAL_ERROR', 'oops'), new ManualClock()).details).toBeNull();
  });
});
