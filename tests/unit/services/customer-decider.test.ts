import { customerDecider, type CustomerEvent } from '../../../services/account/customer-decider';
import { AGGREGATE_ID, deciderSpec, timestampOf } from '../../support/decider-spec';

const spec = deciderSpec(customerDecider);

const created: CustomerEvent = {
  type: 'CustomerCreated',
  payload: { email: 'ada@example.com', name: 'Ada Lovelace', address: '1 Analytical St', phone: '555-0100' },
};

const bare: CustomerEvent = {
  type: 'CustomerCreated',
  payload: { email: 'bob@example.com', name: 'Bob', address: null, phone: null },
};

describe('customer decider', () => {
  describe('CreateCustomer', () => {
    it('creates an ACTIVE customer keyed by the aggregate id, timestamps from the event', () => {
      spec
        .when({
          type: 'CreateCustomer',
          customerId: AGGREGATE_ID,
          email: 'ada@example.com',
          name: 'Ada Lovelace',
          address: '1 Analytical St',
          phone: '555-0100',
        })
        .then([created])
        .thenState({
          customerId: AGGREGATE_ID,
          email: 'ada@example.com',
          name: 'Ada Lovelace',
          address: '1 Analytical St',
          phone: '555-0100',
          status: 'ACTIVE',
          createdAt: timestampOf(1),
          updatedAt: timestampOf(1),
        });
    });

    it('records absent address and phone as null', () => {
      const { state } = spec
        .when({ type: 'CreateCustomer', customerId: AGGREGATE_ID, email: 'bob@example.com', name: 'Bob' })
        .then([bare]);
      expect(state).toMatchObject({ address: null, phone: null, status: 'ACTIVE' });
    });

    it('refuses to create a customer twice', () => {
      const error = spec
        .given([created])
        .when({ type: 'CreateCustomer', customerId: AGGREGATE_ID, email: 'x@example.com', name: 'Xavier' })
        .thenThrows('CUSTOMER_EXISTS');
      expect(error.kind).toBe('conflict');
    });
  });

  describe('UpdateCustomer', () => {
    it('changes email and name, keeps createdAt and moves updatedAt', () => {
      spec
        .given([created])
        .when({
          type: 'UpdateCustomer',
          email: 'ada@lovelace.org',
          name: 'Ada King',
          address: '1 Analytical St',
          phone: '555-0100',
        })
        .then([
          {
            type: 'CustomerUpdated',
            payload: {
              email: 'ada@lovelace.org',
              name: 'Ada King',
              address: '1 Analytical St',
              phone: '555-0100',
            },
          },
        ])
        .thenState({
          customerId: AGGREGATE_ID,
          email: 'ada@lovelace.org',
          name: 'Ada King',
          address: '1 Analytical St',
          phone: '555-0100',
          status: 'ACTIVE',
          createdAt: timestampOf(1),
          updatedAt: timestampOf(2),
        });
    });

    it('keeps address and phone when they are absent (API.md)', () => {
      const { state } = spec
        .given([created])
        .when({ type: 'UpdateCustomer', email: 'ada@example.com', name: 'Countess Ada' })
        .then([
          {
            type: 'CustomerUpdated',
            payload: {
              email: 'ada@example.com',
              name: 'Countess Ada',
              address: '1 Analytical St',
              phone: '555-0100',
            },
          },
        ]);
      expect(state).toMatchObject({ name: 'Countess Ada', address: '1 Analytical St', phone: '555-0100' });
    });

    it('changes only the address when only the address is given', () => {
      const { state } = spec
        .given([created])
        .when({ type: 'UpdateCustomer', email: 'ada@example.com', name: 'Ada Lovelace', address: '2 New Rd' })
        .then([
          {
            type: 'CustomerUpdated',
            payload: {
              email: 'ada@example.com',
              name: 'Ada Lovelace',
              address: '2 New Rd',
              phone: '555-0100',
            },
          },
        ]);
      expect(state).toMatchObject({ address: '2 New Rd', phone: '555-0100' });
    });

    it('sets an address and phone on a customer created without them', () => {
      const { state } = spec
        .given([bare])
        .when({ type: 'UpdateCustomer', email: 'bob@example.com', name: 'Bob', phone: '555-0199' })
        .then([
          {
            type: 'CustomerUpdated',
            payload: { email: 'bob@example.com', name: 'Bob', address: null, phone: '555-0199' },
          },
        ]);
      expect(state).toMatchObject({ address: null, phone: '555-0199' });
    });

    it('is a no-op when nothing changes, absent fields included', () => {
      spec
        .given([created])
        .when({ type: 'UpdateCustomer', email: 'ada@example.com', name: 'Ada Lovelace' })
        .thenNothing()
        .thenState({
          customerId: AGGREGATE_ID,
          ...created.payload,
          status: 'ACTIVE',
          createdAt: timestampOf(1),
          updatedAt: timestampOf(1),
        });
    });

    it('is a no-op when every given field equals the current one', () => {
      spec
        .given([created])
        .when({
          type: 'UpdateCustomer',
          email: 'ada@example.com',
          name: 'Ada Lovelace',
          address: '1 Analytical St',
          phone: '555-0100',
        })
        .thenNothing();
    });

    it.each([
      ['email', { email: 'ADA@example.com' }],
      ['name', { name: 'Ada lovelace' }],
      ['address', { address: '1 Analytical Street' }],
      ['phone', { phone: '555-0101' }],
    ])('is not a no-op when only the %s differs', (_field, change) => {
      const { state } = spec
        .given([created])
        .when({ type: 'UpdateCustomer', email: 'ada@example.com', name: 'Ada Lovelace', ...change })
        .then([{ type: 'CustomerUpdated', payload: { ...created.payload, ...change } }]);
      expect(state).toMatchObject(change);
    });

    it('answers CUSTOMER_NOT_FOUND for an unknown customer', () => {
      const error = spec
        .when({ type: 'UpdateCustomer', email: 'a@example.com', name: 'Anyone' })
        .thenThrows('CUSTOMER_NOT_FOUND');
      expect(error.kind).toBe('not-found');
    });
  });

  describe('ChangeCustomerStatus', () => {
    it('suspends an active customer, with the reason', () => {
      spec
        .given([created])
        .when({ type: 'ChangeCustomerStatus', status: 'SUSPENDED', reason: 'fraud check' })
        .then([{ type: 'CustomerStatusChanged', payload: { newStatus: 'SUSPENDED', reason: 'fraud check' } }])
        .thenState({
          customerId: AGGREGATE_ID,
          ...created.payload,
          status: 'SUSPENDED',
          createdAt: timestampOf(1),
          updatedAt: timestampOf(2),
        });
    });

    it('records an absent reason as null', () => {
      spec
        .given([created])
        .when({ type: 'ChangeCustomerStatus', status: 'CLOSED' })
        .then([{ type: 'CustomerStatusChanged', payload: { newStatus: 'CLOSED', reason: null } }]);
    });

    it('reactivates a suspended customer', () => {
      const { state } = spec
        .given([
          created,
          { type: 'CustomerStatusChanged', payload: { newStatus: 'SUSPENDED', reason: null } },
        ])
        .when({ type: 'ChangeCustomerStatus', status: 'ACTIVE', reason: 'cleared' })
        .then([{ type: 'CustomerStatusChanged', payload: { newStatus: 'ACTIVE', reason: 'cleared' } }]);
      expect(state).toMatchObject({ status: 'ACTIVE', updatedAt: timestampOf(3) });
    });

    it('is a no-op when the status is already the requested one', () => {
      const { state } = spec
        .given([created])
        .when({ type: 'ChangeCustomerStatus', status: 'ACTIVE', reason: 'again' })
        .thenNothing();
      expect(state).toMatchObject({ status: 'ACTIVE', updatedAt: timestampOf(1) });
    });

    it('is a no-op for a repeated suspension', () => {
      spec
        .given([
          created,
          { type: 'CustomerStatusChanged', payload: { newStatus: 'SUSPENDED', reason: 'first' } },
        ])
        .when({ type: 'ChangeCustomerStatus', status: 'SUSPENDED', reason: 'second' })
        .thenNothing();
    });

    it('answers CUSTOMER_NOT_FOUND for an unknown customer', () => {
      const error = spec
        .when({ type: 'ChangeCustomerStatus', status: 'CLOSED' })
        .thenThrows('CUSTOMER_NOT_FOUND');
      expect(error.kind).toBe('not-found');
    });
  });

  describe('evolve', () => {
    it('keeps status through an update and the update through a status change', () => {
      expect(
        spec.given([
          created,
          { type: 'CustomerStatusChanged', payload: { newStatus: 'SUSPENDED', reason: null } },
          { type: 'CustomerUpdated', payload: { ...created.payload, name: 'Ada King' } },
        ]).state,
      ).toEqual({
        customerId: AGGREGATE_ID,
        ...created.payload,
        name: 'Ada King',
        status: 'SUSPENDED',
        createdAt: timestampOf(1),
        updatedAt: timestampOf(3),
      });
    });

    it('ignores updates and status changes of a customer it never saw created', () => {
      expect(
        spec.given([
          { type: 'CustomerUpdated', payload: created.payload },
          { type: 'CustomerStatusChanged', payload: { newStatus: 'CLOSED', reason: null } },
        ]).state,
      ).toBeNull();
    });
  });
});
