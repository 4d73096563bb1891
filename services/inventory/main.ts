import { main } from '../../src/runtime/run-service';
import { inventoryService } from './inventory-service';

main(inventoryService);
