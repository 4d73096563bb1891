import { main } from '../../src/runtime/run-service';
import { paymentService } from './payment-service';

main(paymentService);
