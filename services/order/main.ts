import { main } from '../../src/runtime/run-service';
import { orderService } from './order-service';

main(orderService);
