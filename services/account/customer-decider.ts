import type { Decider } from '../../src/eventsourcing/decider';
import { conflict, notFound } from '../../src/eventsourcing/domain-error';

export const customerStatuses = ['ACTIVE', 'SUSPENDED', 'CLOSED'] as const;
export type CustomerStatus = (typeof customerStatuses)[number];

export interface Customer {
  readonly customerId: string;
  readonly email: string;
  readonly name: string;
  readonly address: string | null;
  readonly phone: string | null;
  readonly status: CustomerStatus;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export type CustomerState = Customer | null;

export type CustomerCommand =
  | {
      readonly type: 'CreateCustomer';
      readonly customerId: string;
      readonly email: string;
      readonly name: string;
      readonly address?: string | undefined;
      readonly phone?: string | undefined;
    }
  | {
      readonly type: 'UpdateCustomer';
      readonly email: string;
      readonly name: string;
      readonly address?: string | undefined;
      readonly phone?: string | undefined;
    }
  | {
      readonly type: 'ChangeCustomerStatus';
      readonly status: CustomerStatus;
      readonly reason?: string | undefined;
    };

export type CustomerEvent =
  | {
      readonly type: 'CustomerCreated';
      readonly payload: { email: string; name: string; address: string | null; phone: string | null };
    }
  | {
      readonly type: 'CustomerUpdated';
      readonly payload: { email: string; name: string; address: string | null; phone: string | null };
    }
  | {
      readonly type: 'CustomerStatusChanged';
      readonly payload: { newStatus: CustomerStatus; reason: string | null };
    };

const missing = (): never => {
  throw notFound('CUSTOMER_NOT_FOUND', 'Customer not found');
};

export const customerDecider: Decider<CustomerState, CustomerCommand, CustomerEvent> = {
  initialState: () => null,

  decide(command, state) {
    switch (command.type) {
      case 'CreateCustomer':
        if (state) throw conflict('CUSTOMER_EXISTS', `Customer ${command.customerId} already exists`);
        return [
          {
            type: 'CustomerCreated',
            payload: {
              email: command.email,
              name: command.name,
              address: command.address ?? null,
              phone: command.phone ?? null,
            },
          },
        ];
      case 'UpdateCustomer': {
        const customer = state ?? missing();
        const next = {
          email: command.email,
          name: command.name,
          // Absent address/phone keep their value (API.md).
          address: command.address ?? customer.address,
          phone: command.phone ?? customer.phone,
        };
        const unchanged =
          next.email === customer.email &&
          next.name === customer.name &&
          next.address === customer.address &&
          next.phone === customer.phone;
        return unchanged ? [] : [{ type: 'CustomerUpdated', payload: next }];
      }
      case 'ChangeCustomerStatus': {
        const customer = state ?? missing();
        if (customer.status === command.status) return [];
        return [
          {
            type: 'CustomerStatusChanged',
            payload: { newStatus: command.status, reason: command.reason ?? null },
          },
        ];
      }
    }
  },

  evolve(state, event) {
    switch (event.eventType) {
      case 'CustomerCreated':
        return {
          customerId: event.key,
          ...event.payload,
          status: 'ACTIVE',
          createdAt: event.timestamp,
          updatedAt: event.timestamp,
        };
      case 'CustomerUpdated':
        return state ? { ...state, ...event.payload, updatedAt: event.timestamp } : state;
      case 'CustomerStatusChanged':
        return state ? { ...state, status: event.payload.newStatus, updatedAt: event.timestamp } : state;
    }
  },
};
